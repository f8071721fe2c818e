import { Module } from '@nestjs/common';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';
import { HealthcarePartiesService } from './healthcare-parties.service';

@Module({
  providers: [HealthcarePartiesRepository, HealthcarePartiesService],
  exports: [HealthcarePartiesService, HealthcarePartiesRepository],
})
export class HealthcarePartiesModule {}
