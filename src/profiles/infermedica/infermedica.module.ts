import { Module } from '@nestjs/common';
import { ProfileRegistry } from '../../common/http/profile-registry';
import { UsersModule } from '../../users/users.module';
import { InfermedicaErrorRenderer } from './infermedica-error.renderer';
import { InfermedicaUsersController } from './infermedica.controller';

@Module({
  imports: [UsersModule],
  controllers: [InfermedicaUsersController],
})
export class InfermedicaModule {
  constructor(registry: ProfileRegistry) {
    registry.register('/api/mgp/v1/users', new InfermedicaErrorRenderer());
  }
}
