import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, SelectQueryBuilder } from 'typeorm';
import { COUNT_CAP } from '../common/pagination';
import { prefixRange } from '../common/text-search';
import { RowMapper, SqlParams } from '../database/row-mapper';
import type { QueryDeepPartialEntity } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';
import { nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { SearchKeyEntity } from '../database/search-key.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupEntity } from './group.entity';

/**
 * Groups are the tenants themselves: scoping here is by subtree (`path`), not by group_id.
 * `findInSubtree` only returns a group the given root is an ancestor-or-self of.
 */
@Injectable()
export class GroupsRepository {
  private readonly rows: RowMapper<GroupEntity>;
  private readonly byIdSql: string;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.rows = new RowMapper(ds, GroupEntity);
    // Built once: the token refresh reads the group on every call.
    this.byIdSql = `SELECT ${this.rows.selectPacked('g')} FROM groups g WHERE g.id = ${this.rows.params().p(0)} AND g.deletion_date IS NULL`;
  }

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(GroupEntity);
  }

  /** Any live group by id: for authentication and authorisation decisions only. */
  async findById(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    const raw = await this.tx.queryArrays(ctx, this.byIdSql, [id], { prepared: true, packed: true });
    return raw.length ? this.rows.mapArray(raw[0]) : null;
  }

  /**
   * Inside a transaction, the live group a read-merge-write starts from; PostgreSQL locks the row
   * first so concurrent merges queue (SQLite's write queue already serializes them).
   */
  async getForMerge(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    if (this.tx.dialect !== 'postgres') return this.findById(ctx, id);
    // One statement: the row is locked and read (after a wait, its latest committed version).
    const raw = await this.tx.queryArrays(ctx, `${this.byIdSql} FOR UPDATE OF g`, [id], { packed: true });
    return raw.length ? this.rows.mapArray(raw[0]) : null;
  }

  /** A group by id, soft-deleted or not (id uniqueness on create). */
  findAnyById(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    return this.repo(ctx).findOne({ where: { id } });
  }

  findByIds(ctx: RequestContext, ids: string[]): Promise<GroupEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.repo(ctx).createQueryBuilder('g').where('g.id IN (:...ids)', { ids }).andWhere('g.deletion_date IS NULL').getMany();
  }

  /** The group if it lies in the subtree of `rootId` (inclusive). */
  async findInSubtree(ctx: RequestContext, rootId: string, id: string): Promise<GroupEntity | null> {
    const g = await this.findById(ctx, id);
    return g && g.path.includes(`/${rootId}/`) ? g : null;
  }

  findRoot(ctx: RequestContext): Promise<GroupEntity | null> {
    return this.repo(ctx).findOne({ where: { superGroupId: IsNull(), deletionDate: IsNull() }, order: { created: 'ASC' } });
  }

  async insert(ctx: RequestContext, group: GroupEntity): Promise<GroupEntity> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx).insert(group as QueryDeepPartialEntity<GroupEntity>);
      return group;
    });
  }

  /** Live children of `parentId` ordered by id, from `startId` (inclusive), optionally matching `search` in id or name. */
  async children(
    ctx: RequestContext,
    parentId: string,
    opts: { startId?: string; limit: number; search?: string },
  ): Promise<GroupEntity[]> {
    const [sql, params] = this.sqlChildren(parentId, opts);
    return (await this.tx.queryArrays(ctx, sql, params, { packed: true })).map(this.rows.mapArray);
  }

  /** One page of `children`: the (super_group_id, id) index in order from `startId`, rows packed. */
  sqlChildren(parentId: string, opts: { startId?: string; limit: number; search?: string }): [string, unknown[]] {
    const q = this.rows.params();
    let where = `g.super_group_id = ${q.p(parentId)} AND g.deletion_date IS NULL`;
    if (opts.startId) where += ` AND g.id >= ${q.p(opts.startId)}`;
    if (opts.search) {
      const s = `%${opts.search.toLowerCase().replace(/[%_\\]/g, '')}%`;
      where += ` AND (LOWER(g.name) LIKE ${q.p(s)} OR LOWER(g.id) LIKE ${q.p(s)})`;
    }
    return [`SELECT ${this.rows.selectPacked('g')} FROM groups g WHERE ${where} ORDER BY g.id LIMIT ${q.p(opts.limit)}`, q.values];
  }

  /** Live children, counted up to COUNT_CAP. */
  async countChildren(ctx: RequestContext, parentId: string): Promise<number> {
    const [sql, params] = this.sqlCountChildren(parentId);
    // Not prepared: the plan depends on the parent's number of children.
    const [row] = await this.tx.queryArrays(ctx, sql, params);
    return Number(row?.[0] ?? 0);
  }

  sqlCountChildren(parentId: string): [string, unknown[]] {
    const q = this.rows.params();
    return [
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM groups g WHERE g.super_group_id = ${q.p(parentId)} AND g.deletion_date IS NULL LIMIT ${q.p(COUNT_CAP)}) c`,
      q.values,
    ];
  }

  /** Optimistic update to `newRev` (chosen by the caller); stale rev -> 409, missing -> 404. */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, newRev: string, patch: Partial<GroupEntity>): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      const res = await this.repo(ctx)
        .createQueryBuilder()
        .update(GroupEntity)
        .set({ ...(patch as QueryDeepPartialEntity<GroupEntity>), rev: newRev })
        .where('id = :id AND rev = :rev', { id, rev })
        .execute();
      if (!res.affected) {
        if (!(await this.findById(ctx, id))) throw new NotFoundError('Group', id);
        throw ConflictError.staleRevision('Group', id);
      }
    });
  }

  /** Rewrites the path prefix of a whole subtree in one UPDATE over the path index range of `oldPrefix`. */
  async rewritePaths(ctx: RequestContext, oldPrefix: string, newPrefix: string): Promise<void> {
    const [lo, hi] = prefixRange(oldPrefix);
    const q = this.params(ctx);
    // The prefix length is ours (not client input), so it is inlined: PostgreSQL cannot type a bare SUBSTR parameter.
    await this.tx.run(ctx, (t) =>
      this.tx
        .manager(t)
        .query(
          `UPDATE groups SET path = ${q.p(newPrefix)} || SUBSTR(path, ${oldPrefix.length + 1}) WHERE path >= ${q.p(lo)} AND path < ${q.p(hi)}`,
          q.values,
        ),
    );
  }

  private params(_ctx: RequestContext): SqlParams {
    return this.rows.params();
  }

  private inSubtree(qb: SelectQueryBuilder<GroupEntity>, path: string): SelectQueryBuilder<GroupEntity> {
    const [lo, hi] = prefixRange(path);
    return qb.where('g.path >= :lo AND g.path < :hi', { lo, hi });
  }

  /** Marks every live group of the subtree of `path` deleted. Returns their ids. */
  async softDeleteSubtree(ctx: RequestContext, path: string, now: number): Promise<string[]> {
    return this.tx.run(ctx, async (t) => {
      const live = await this.inSubtree(this.repo(t).createQueryBuilder('g'), path).andWhere('g.deletion_date IS NULL').getMany();
      for (const g of live) {
        await this.repo(t).update({ id: g.id }, { deletionDate: now, modified: now, rev: nextRev(g.rev) });
      }
      return live.map((g) => g.id);
    });
  }

  /** Every group (deleted or not) in the subtree of `path`, deepest first. */
  async subtree(ctx: RequestContext, path: string): Promise<GroupEntity[]> {
    const all = await this.inSubtree(this.repo(ctx).createQueryBuilder('g'), path).getMany();
    return all.sort((a, b) => b.path.length - a.path.length);
  }

  /** Deletes the group rows themselves and their search keys (the last step of a subtree purge). */
  async deleteGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (!groupIds.length) return;
    await this.tx.run(ctx, async (t) => {
      await this.tx
        .manager(t)
        .getRepository(SearchKeyEntity)
        .delete({ groupId: In(groupIds) });
      await this.repo(t).delete({ id: In(groupIds) });
    });
  }
}
