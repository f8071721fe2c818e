import { Module } from '@nestjs/common';
import { AppTokensModule } from '../auth/app-tokens/app-tokens.module';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';
import { HealthcarePartiesService } from './healthcare-parties.service';
import { HcpController } from './native/hcp.controller';

@Module({
  imports: [UsersModule, GroupsModule, AppTokensModule],
  controllers: [HcpController],
  providers: [HealthcarePartiesRepository, HealthcarePartiesService],
  exports: [HealthcarePartiesService, HealthcarePartiesRepository],
})
export class HealthcarePartiesModule {}
