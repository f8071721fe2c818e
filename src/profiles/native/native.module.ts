import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { AppTokensModule } from '../../credentials/app-tokens/app-tokens.module';
import { GroupsModule } from '../../groups/groups.module';
import { HealthcarePartiesModule } from '../../healthcare-parties/healthcare-parties.module';
import { ProvisioningModule } from '../../provisioning/provisioning.module';
import { UsersModule } from '../../users/users.module';
import { AuthController } from './auth/auth.controller';
import { GroupController } from './groups/group.controller';
import { HcpController } from './hcparty/hcp.controller';
import { ForgottenPasswordController } from './users/forgotten-password.controller';
import { UserGroupsController } from './users/user-groups.controller';
import { UserInGroupController } from './users/user-in-group.controller';
import { UserController } from './users/user.controller';

/** The native (iCure-compatible) profile under /rest/v2: controllers only; the rules are in the core. */
@Module({
  imports: [UsersModule, GroupsModule, HealthcarePartiesModule, AppTokensModule, AuthModule, ProvisioningModule],
  controllers: [
    AuthController,
    UserController,
    UserInGroupController,
    UserGroupsController,
    ForgottenPasswordController,
    GroupController,
    HcpController,
  ],
})
export class NativeProfileModule {}
