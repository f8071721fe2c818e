import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GroupsModule } from '../groups/groups.module';
import { UsersModule } from '../users/users.module';
import { AppTokensModule } from '../credentials/app-tokens/app-tokens.module';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { AuthGuard } from './guards/auth.guard';
import { PasswordModule } from '../credentials/password/password.module';
import { RateLimiter } from './rate-limiter';
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
    RateLimiter,
    JwtAccessStrategy,
    BasicAuthStrategy,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, CredentialsService, TokenService, RateLimiter, KeyStore],
})
export class AuthModule {}
