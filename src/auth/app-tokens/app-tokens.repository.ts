import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { RequestContext } from '../../common/request-context';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuthenticationTokenEntity } from '../authentication-token.entity';

@Injectable()
export class AppTokensRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(AuthenticationTokenEntity);
  }

  findByHash(ctx: RequestContext, userId: string, tokenHash: string): Promise<AuthenticationTokenEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, userId, tokenHash, deletionDate: IsNull() } });
  }

  listForUser(ctx: RequestContext, userId: string): Promise<AuthenticationTokenEntity[]> {
    return this.repo(ctx).find({ where: { groupId: ctx.groupId, userId, deletionDate: IsNull() }, order: { key: 'ASC' } });
  }

  /** One token per (user, key): the new one replaces the old, atomically. */
  async upsert(ctx: RequestContext, t: AuthenticationTokenEntity): Promise<void> {
    t.groupId = ctx.groupId;
    await this.repo(ctx).upsert(t, { conflictPaths: ['groupId', 'userId', 'key'] });
  }

  async deleteKey(ctx: RequestContext, userId: string, key: string): Promise<void> {
    await this.repo(ctx).delete({ groupId: ctx.groupId, userId, key });
  }

  async deleteForUser(ctx: RequestContext, userId: string): Promise<void> {
    await this.repo(ctx).delete({ groupId: ctx.groupId, userId });
  }
}
