import { Module } from '@nestjs/common';
import { AppTokensModule } from '../auth/app-tokens/app-tokens.module';
import { PasswordModule } from '../auth/password/password.module';
import { SessionsModule } from '../auth/sessions/sessions.module';
import { UserController } from './native/user.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [PasswordModule, AppTokensModule, SessionsModule],
  controllers: [UserController],
  providers: [UsersRepository, UsersService],
  exports: [UsersService, UsersRepository],
})
export class UsersModule {}
