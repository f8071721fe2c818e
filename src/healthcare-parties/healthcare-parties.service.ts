import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';
import { HealthcarePartyEntity } from './healthcare-party.entity';

@Injectable()
export class HealthcarePartiesService {
  constructor(private readonly hcps: HealthcarePartiesRepository) {}

  async get(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity> {
    return NotFoundError.assert(await this.hcps.findOneInGroup(ctx, id), 'HealthcareParty', id);
  }
}
