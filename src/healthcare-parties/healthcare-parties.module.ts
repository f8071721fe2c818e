import { Module } from '@nestjs/common';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { UsersModule } from '../users/users.module';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';
import { HealthcarePartiesService } from './healthcare-parties.service';

@Module({
  imports: [UsersModule, AppTokensModule],
  providers: [HealthcarePartiesRepository, HealthcarePartiesService],
  exports: [HealthcarePartiesService],
})
export class HealthcarePartiesModule {}
