import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupEntity } from './group.entity';

/**
 * Groups are the tenants themselves: scoping here is by subtree (`path`), not by group_id.
 * `findVisible` only returns a group the caller's group is an ancestor-or-self of.
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
}
