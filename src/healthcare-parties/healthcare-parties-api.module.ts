import { Module } from '@nestjs/common';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { HealthcarePartiesModule } from './healthcare-parties.module';
import { HealthcarePartiesService } from './healthcare-parties.service';

/** The HCP rules and the /rest/v2/hcparty API (they need users, so they sit above UsersModule). */
@Module({
  imports: [HealthcarePartiesModule, UsersModule, GroupsModule, AppTokensModule],
  providers: [HealthcarePartiesService],
  exports: [HealthcarePartiesService],
})
export class HealthcarePartiesApiModule {}
