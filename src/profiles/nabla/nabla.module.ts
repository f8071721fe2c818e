import { Module } from '@nestjs/common';
import { ProfileRegistry } from '../../common/http/profile-registry';
import { FunctionalRoles } from '../../users/functional-roles';
import { UsersModule } from '../../users/users.module';
import { NablaErrorRenderer } from './nabla-error.renderer';
import { NablaUsersController } from './nabla.controller';
import { PRACTITIONER } from './nabla.dto';

@Module({
  imports: [UsersModule],
  controllers: [NablaUsersController],
})
export class NablaModule {
  constructor(registry: ProfileRegistry, functionalRoles: FunctionalRoles) {
    registry.register('/v1/copilot-api/server/users', new NablaErrorRenderer());
    // Nabla's default role says what a user is; administrators may give it without holding it.
    functionalRoles.add(PRACTITIONER);
  }
}
