import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { PasswordModule } from '../../auth/password/password.module';
import { SessionsModule } from '../../auth/sessions/sessions.module';
import { VerificationModule } from '../../auth/verification/verification.module';
import { GroupsModule } from '../../groups/groups.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { UsersModule } from '../users.module';
import { ForgottenPasswordController } from '../native/forgotten-password.controller';
import { AccountLifecycleService } from './account-lifecycle.service';

@Module({
  imports: [UsersModule, GroupsModule, VerificationModule, NotificationsModule, SessionsModule, PasswordModule, AuthModule],
  controllers: [ForgottenPasswordController],
  providers: [AccountLifecycleService],
  exports: [AccountLifecycleService],
})
export class LifecycleModule {}
