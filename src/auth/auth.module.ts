import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { AuthGuard } from './guards/auth.guard';
import { PasswordModule } from '../credentials/password/password.module';
import { PrincipalCache } from './principal-cache';
import { RateLimits } from './rate-limits';
import { SessionsModule } from '../credentials/sessions/sessions.module';
import { BasicAuthStrategy } from './strategies/basic.strategy';
import { JwtAccessStrategy } from './strategies/jwt-access.strategy';
import { KeyStore } from './tokens/key-store';
import { TokenService } from './tokens/token.service';

@Module({
  imports: [UsersModule, GroupsModule, PasswordModule, AppTokensModule, SessionsModule],
  providers: [
    KeyStore,
    TokenService,
    CredentialsService,
    AuthService,
    RateLimits,
    PrincipalCache,
    JwtAccessStrategy,
    BasicAuthStrategy,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
  exports: [AuthService, CredentialsService, TokenService, RateLimits, KeyStore],
})
export class AuthModule {}
