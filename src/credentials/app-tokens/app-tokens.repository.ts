import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, In } from 'typeorm';
import { RowMapper } from '../../database/row-mapper';
import { RequestContext } from '../../common/request-context';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuthenticationTokenEntity } from './authentication-token.entity';

@Injectable()
export class AppTokensRepository {
  private readonly rows: RowMapper<AuthenticationTokenEntity>;
  private readonly forUserSql: string;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.rows = new RowMapper(ds, AuthenticationTokenEntity);
    const q = this.rows.params();
    this.forUserSql = `SELECT ${this.rows.select('t')} FROM authentication_tokens t WHERE t.group_id = ${q.p(0)} AND t.user_id = ${q.p(0)} AND t.deletion_date IS NULL ORDER BY t.key`;
  }

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(AuthenticationTokenEntity);
  }

  findByHash(ctx: RequestContext, userId: string, tokenHash: string): Promise<AuthenticationTokenEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, userId, tokenHash, deletionDate: IsNull() } });
  }

  listForUser(ctx: RequestContext, userId: string): Promise<AuthenticationTokenEntity[]> {
    return this.tx
      .manager(ctx)
      .query(this.forUserSql, [ctx.groupId, userId])
      .then((raw: Record<string, unknown>[]) => raw.map((r) => this.rows.map(r)));
  }

  /** One token per (user, key): the new one replaces the old, atomically. */
  async upsert(ctx: RequestContext, t: AuthenticationTokenEntity): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      t.groupId = ctx.groupId;
      await this.repo(ctx).upsert(t, { conflictPaths: ['groupId', 'userId', 'key'] });
    });
  }

  async deleteKey(ctx: RequestContext, userId: string, key: string): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx).delete({ groupId: ctx.groupId, userId, key });
    });
  }

  async deleteForUser(ctx: RequestContext, userId: string): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx).delete({ groupId: ctx.groupId, userId });
    });
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
