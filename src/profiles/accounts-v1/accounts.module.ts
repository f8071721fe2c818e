import { Module } from '@nestjs/common';
import { ProfileRegistry } from '../../common/http/profile-registry';
import { ProvisioningModule } from '../../provisioning/provisioning.module';
import { UsersModule } from '../../users/users.module';
import { AccountsErrorRenderer } from './accounts-error.renderer';
import { AccountsController } from './accounts.controller';

@Module({
  imports: [ProvisioningModule, UsersModule],
  controllers: [AccountsController],
})
export class AccountsModule {
  constructor(registry: ProfileRegistry) {
    registry.register('/v1/users', new AccountsErrorRenderer());
  }
}
