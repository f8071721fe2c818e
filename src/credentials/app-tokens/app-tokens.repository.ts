import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, In } from 'typeorm';
import { PreparedFind } from '../../database/prepared-find';
import { RequestContext } from '../../common/request-context';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuthenticationTokenEntity } from './authentication-token.entity';

@Injectable()
export class AppTokensRepository {
  private readonly forUser: PreparedFind<AuthenticationTokenEntity>;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.forUser = new PreparedFind(
      ds,
      AuthenticationTokenEntity,
      'e.group_id = :groupId AND e.user_id = :userId AND e.deletion_date IS NULL',
      ['groupId', 'userId'],
      'e.key',
    );
  }

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(AuthenticationTokenEntity);
  }

  findByHash(ctx: RequestContext, userId: string, tokenHash: string): Promise<AuthenticationTokenEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, userId, tokenHash, deletionDate: IsNull() } });
  }

  listForUser(ctx: RequestContext, userId: string): Promise<AuthenticationTokenEntity[]> {
    return this.forUser.run(this.tx.manager(ctx), [ctx.groupId, userId]);
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

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
