import { Module } from '@nestjs/common';
import { AppTokensModule } from '../auth/app-tokens/app-tokens.module';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { HealthcarePartiesApiModule } from '../healthcare-parties/healthcare-parties-api.module';
import { HealthcarePartiesModule } from '../healthcare-parties/healthcare-parties.module';
import { UsersModule } from '../users/users.module';
import { GroupAdminService } from './group-admin.service';
import { GroupsModule } from './groups.module';
import { GroupController } from './native/group.controller';

/** The group HTTP API and cross-module group administration (kept apart from GroupsModule, which auth depends on). */
@Module({
  imports: [GroupsModule, UsersModule, HealthcarePartiesModule, HealthcarePartiesApiModule, AppTokensModule, SessionsModule],
  controllers: [GroupController],
  providers: [GroupAdminService],
})
export class GroupsApiModule {}
