import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { UserGroupsController } from '../users/native/user-groups.controller';
import { UsersModule } from '../users/users.module';
import { AppTokensModule } from './app-tokens/app-tokens.module';
import { AuthModule } from './auth.module';
import { GroupSwitchService } from './group-switch.service';
import { SwitchController } from './native/switch.controller';
import { SessionsModule } from './sessions/sessions.module';

@Module({
  imports: [AuthModule, SessionsModule, UsersModule, GroupsModule, AppTokensModule],
  controllers: [SwitchController, UserGroupsController],
  providers: [GroupSwitchService],
})
export class GroupSwitchModule {}
