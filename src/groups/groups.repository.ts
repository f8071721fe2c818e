import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';
import { nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupEntity } from './group.entity';

/**
 * Groups are the tenants themselves: scoping here is by subtree (`path`), not by group_id.
 * `findInSubtree` only returns a group the given root is an ancestor-or-self of.
 */
@Injectable()
export class GroupsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(GroupEntity);
  }

  /** Any live group by id: for authentication and authorisation decisions only. */
  findById(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    return this.repo(ctx).findOne({ where: { id, deletionDate: IsNull() } });
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
    await this.repo(ctx).insert(group as QueryDeepPartialEntity<GroupEntity>);
    return group;
  }

  /** Live children of `parentId` ordered by id, from `startId` (inclusive), optionally matching `search` in id or name. */
  children(ctx: RequestContext, parentId: string, opts: { startId?: string; limit: number; search?: string }): Promise<GroupEntity[]> {
    const qb = this.repo(ctx)
      .createQueryBuilder('g')
      .where('g.super_group_id = :parentId', { parentId })
      .andWhere('g.deletion_date IS NULL');
    if (opts.startId) qb.andWhere('g.id >= :startId', { startId: opts.startId });
    if (opts.search)
      qb.andWhere('(LOWER(g.name) LIKE :s OR LOWER(g.id) LIKE :s)', { s: `%${opts.search.toLowerCase().replace(/[%_\\]/g, '')}%` });
    return qb.orderBy('g.id', 'ASC').limit(opts.limit).getMany();
  }

  countChildren(ctx: RequestContext, parentId: string): Promise<number> {
    return this.repo(ctx).count({ where: { superGroupId: parentId, deletionDate: IsNull() } });
  }

  /** Optimistic update to `newRev` (chosen by the caller); stale rev -> 409, missing -> 404. */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, newRev: string, patch: Partial<GroupEntity>): Promise<void> {
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
  }

  /** Rewrites the path prefix of a whole subtree (a moved group and its descendants). */
  async rewritePaths(ctx: RequestContext, oldPrefix: string, newPrefix: string): Promise<void> {
    const groups = await this.repo(ctx)
      .createQueryBuilder('g')
      .where('g.path LIKE :p', { p: `${oldPrefix}%` })
      .getMany();
    for (const g of groups) await this.repo(ctx).update({ id: g.id }, { path: newPrefix + g.path.slice(oldPrefix.length) });
  }

  /** Marks every live group of the subtree of `path` deleted. Returns their ids. */
  async softDeleteSubtree(ctx: RequestContext, path: string, now: number): Promise<string[]> {
    const live = await this.repo(ctx)
      .createQueryBuilder('g')
      .where('g.path LIKE :p', { p: `${path}%` })
      .andWhere('g.deletion_date IS NULL')
      .getMany();
    for (const g of live) {
      await this.repo(ctx).update({ id: g.id }, { deletionDate: now, modified: now, rev: nextRev(g.rev) });
    }
    return live.map((g) => g.id);
  }

  /** Every group (deleted or not) in the subtree of `path`, deepest first. */
  async subtree(ctx: RequestContext, path: string): Promise<GroupEntity[]> {
    const all = await this.repo(ctx)
      .createQueryBuilder('g')
      .where('g.path LIKE :p', { p: `${path}%` })
      .getMany();
    return all.sort((a, b) => b.path.length - a.path.length);
  }

  /** Deletes the group rows themselves (the last step of a subtree purge). */
  async deleteGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ id: In(groupIds) });
  }
}
