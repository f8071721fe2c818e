import { Injectable } from '@nestjs/common';
import { IsNull, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';
import { uniqueViolationColumns } from '../common/db-errors';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { HealthcarePartyEntity } from './healthcare-party.entity';

/** Every query is scoped by the context's group. */
@Injectable()
export class HealthcarePartiesRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(HealthcarePartyEntity);
  }

  /** Live HCPs of the context's group. */
  scoped(ctx: RequestContext, alias = 'h') {
    return this.repo(ctx)
      .createQueryBuilder(alias)
      .where(`${alias}.group_id = :groupId`, { groupId: ctx.groupId })
      .andWhere(`${alias}.deletion_date IS NULL`);
  }

  findOneInGroup(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id, deletionDate: IsNull() } });
  }

  /** Including soft-deleted rows (id uniqueness). */
  findAnyInGroup(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id } });
  }

  findManyInGroup(ctx: RequestContext, ids: string[]): Promise<HealthcarePartyEntity[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.scoped(ctx).andWhere('h.id IN (:...ids)', { ids }).getMany();
  }

  count(ctx: RequestContext): Promise<number> {
    return this.scoped(ctx).getCount();
  }

  async insert(ctx: RequestContext, hcp: HealthcarePartyEntity): Promise<HealthcarePartyEntity> {
    hcp.groupId = ctx.groupId;
    try {
      await this.repo(ctx).insert(hcp as QueryDeepPartialEntity<HealthcarePartyEntity>);
    } catch (e) {
      if (uniqueViolationColumns(e)) throw new ConflictError('DUPLICATE', `HealthcareParty ${hcp.id} already exists`, ['id']);
      throw e;
    }
    return hcp;
  }

  /** Optimistic update in the context's group: missing -> 404, stale -> 409. */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, patch: Partial<HealthcarePartyEntity>): Promise<void> {
    const { id: _id, groupId: _g, ...rest } = patch;
    const res = await this.repo(ctx)
      .createQueryBuilder()
      .update(HealthcarePartyEntity)
      .set(rest as QueryDeepPartialEntity<HealthcarePartyEntity>)
      .where('id = :id AND group_id = :groupId AND rev = :rev AND deletion_date IS NULL', { id, groupId: ctx.groupId, rev })
      .execute();
    if (!res.affected) {
      if (!(await this.findOneInGroup(ctx, id))) throw new NotFoundError('HealthcareParty', id);
      throw ConflictError.staleRevision('HealthcareParty', id);
    }
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
