import { Module } from '@nestjs/common';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { PasswordModule } from '../credentials/password/password.module';
import { SessionsModule } from '../credentials/sessions/sessions.module';
import { UserDocumentsService } from './user-documents.service';
import { UserQueriesService } from './user-queries.service';
import { UserTokensService } from './user-tokens.service';
import { UserGroupsService } from './user-groups.service';
import { GroupsModule } from '../groups/groups.module';
import { VerificationModule } from '../credentials/verification/verification.module';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { FunctionalRoles } from './functional-roles';

@Module({
  imports: [PasswordModule, AppTokensModule, SessionsModule, GroupsModule, VerificationModule],
  providers: [
    FunctionalRoles,
    UsersRepository,
    UsersService,
    UserQueriesService,
    UserTokensService,
    UserDocumentsService,
    UserGroupsService,
  ],
  exports: [FunctionalRoles, UsersService, UsersRepository, UserQueriesService, UserTokensService, UserDocumentsService, UserGroupsService],
})
export class UsersModule {}
