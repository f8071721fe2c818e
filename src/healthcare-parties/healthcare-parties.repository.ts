import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
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

  findOneInGroup(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id, deletionDate: IsNull() } });
  }

  async insert(ctx: RequestContext, hcp: HealthcarePartyEntity): Promise<HealthcarePartyEntity> {
    hcp.groupId = ctx.groupId;
    await this.repo(ctx).insert(hcp as QueryDeepPartialEntity<HealthcarePartyEntity>);
    return hcp;
  }
}
