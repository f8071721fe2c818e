import { Module } from '@nestjs/common';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';

/** HCP persistence, with no dependencies (users link to HCPs through it). */
@Module({
  providers: [HealthcarePartiesRepository],
  exports: [HealthcarePartiesRepository],
})
export class HealthcarePartiesModule {}
