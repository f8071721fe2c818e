import { In } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../common/request-context';
import { bulkInsert } from '../../database/bulk-insert';
import { RowMapper } from '../../database/row-mapper';
import { TransactionRunner } from '../../database/transaction-runner';
import { SessionEntity } from './session.entity';

@Injectable()
export class SessionsRepository {
  private readonly rows: RowMapper<SessionEntity>;
  private readonly byIdSql: string;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.rows = new RowMapper(ds, SessionEntity);
    // Built once: every refresh reads its session.
    const q = this.rows.params();
    this.byIdSql = `SELECT ${this.rows.select('s')} FROM sessions s WHERE s.group_id = ${q.p(0)} AND s.id = ${q.p(0)}`;
  }

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(SessionEntity);
  }

  async insert(ctx: RequestContext, s: SessionEntity): Promise<void> {
    await this.tx.run(ctx, async (t) => {
      s.groupId = t.groupId;
      // One prepared-shape INSERT (every login writes one): TypeORM's insert builder costs more than the row.
      await bulkInsert(this.tx.manager(t), SessionEntity, [s]);
    });
  }

  async findOneInGroup(ctx: RequestContext, id: string): Promise<SessionEntity | null> {
    const raw: Record<string, unknown>[] = await this.tx.manager(ctx).query(this.byIdSql, [ctx.groupId, id]);
    return raw.length ? this.rows.map(raw[0]) : null;
  }

  /** Marks live sessions revoked; returns the ids that were live. */
  async revoke(
    ctx: RequestContext,
    where: { id?: string; userId?: string; exceptId?: string },
    reason: string,
    now: number,
  ): Promise<string[]> {
    return this.tx.run(ctx, async (ctx) => {
      const qb = this.repo(ctx)
        .createQueryBuilder('s')
        .select('s.id', 'id')
        .where('s.group_id = :g AND s.revoked_at IS NULL', { g: ctx.groupId });
      if (where.id) qb.andWhere('s.id = :id', { id: where.id });
      if (where.userId) qb.andWhere('s.user_id = :u', { u: where.userId });
      if (where.exceptId) qb.andWhere('s.id <> :x', { x: where.exceptId });
      const ids = (await qb.getRawMany<{ id: string }>()).map((r) => r.id);
      if (!ids.length) return [];
      await this.repo(ctx)
        .createQueryBuilder()
        .update(SessionEntity)
        .set({ revokedAt: now, revokedReason: reason })
        .where('group_id = :g AND id IN (:...ids) AND revoked_at IS NULL', { g: ctx.groupId, ids })
        .execute();
      return ids;
    });
  }

  /** Boot-time: sessions revoked recently enough that an access token of theirs may still be alive. Spans groups by design. */
  async recentlyRevokedAcrossGroups(ctx: RequestContext, since: number): Promise<string[]> {
    ctx.assertCrossTenant();
    const rows = await this.repo(ctx)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where('s.revoked_at >= :since', { since })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Purge for hard deletes. */
  async deleteForUser(ctx: RequestContext, userId: string): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx).delete({ groupId: ctx.groupId, userId });
    });
  }

  /** Session ids of whole groups (to revoke their access tokens before a purge). */
  async idsOfGroups(ctx: RequestContext, groupIds: string[]): Promise<string[]> {
    if (!groupIds.length) return [];
    const rows = await this.repo(ctx)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where('s.group_id IN (:...ids)', { ids: groupIds })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
