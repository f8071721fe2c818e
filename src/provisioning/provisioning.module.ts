import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { PasswordModule } from '../credentials/password/password.module';
import { SessionsModule } from '../credentials/sessions/sessions.module';
import { VerificationModule } from '../credentials/verification/verification.module';
import { GroupsModule } from '../groups/groups.module';
import { HealthcarePartiesModule } from '../healthcare-parties/healthcare-parties.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { AccountLifecycleService } from './account-lifecycle.service';
import { BootstrapService } from './bootstrap.service';
import { GroupAdminService } from './group-admin.service';
import { UserImportService } from './user-import.service';
import { UsersBulkRepository } from '../users/users-bulk.repository';

/** Workflows that span domains: group administration, the account lifecycle, the first start. */
@Module({
  imports: [
    UsersModule,
    GroupsModule,
    HealthcarePartiesModule,
    VerificationModule,
    NotificationsModule,
    SessionsModule,
    PasswordModule,
    AppTokensModule,
    AuthModule,
  ],
  providers: [AccountLifecycleService, GroupAdminService, BootstrapService, UserImportService, UsersBulkRepository],
  exports: [AccountLifecycleService, GroupAdminService, UserImportService, UsersBulkRepository],
})
export class ProvisioningModule {}
