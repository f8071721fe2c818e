import { Module } from '@nestjs/common';
import { ProfileRegistry } from '../../common/http/profile-registry';
import { UsersModule } from '../../users/users.module';
import { NablaErrorRenderer } from './nabla-error.renderer';
import { NablaUsersController } from './nabla.controller';

@Module({
  imports: [UsersModule],
  controllers: [NablaUsersController],
})
export class NablaModule {
  constructor(registry: ProfileRegistry) {
    registry.register('/v1/copilot-api/server/users', new NablaErrorRenderer());
  }
}
