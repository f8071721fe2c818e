import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoInstance } from 'pino';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { NativeAuditModule } from './profiles/native/audit/native-audit.module';
import { NativeWebhooksModule } from './profiles/native/webhooks/native-webhooks.module';
import { AuthModule } from './auth/auth.module';
import { Clock } from './common/clock';
import { ProfileExceptionFilter } from './common/http/exception.filter';
import { ProfileRegistry } from './common/http/profile-registry';
import { CoreValidationPipe } from './common/http/validation.pipe';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GroupsModule } from './groups/groups.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { NativeProfileModule } from './profiles/native/native.module';
import { HealthController } from './health/health.controller';
import { HealthcarePartiesModule } from './healthcare-parties/healthcare-parties.module';
import { NativeErrorRenderer } from './profiles/native/native-error.renderer';
import { UsersModule } from './users/users.module';
import { InfermedicaModule } from './profiles/infermedica/infermedica.module';
import { NablaModule } from './profiles/nabla/nabla.module';
import { AccountsModule } from './profiles/accounts-v1/accounts.module';
import { WellKnownModule } from './profiles/well-known/well-known.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock: Clock | undefined, logger: PinoInstance): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config, clock),
        // Nest's logs go through the logger Fastify already uses (same lines, reqId inside requests:
        // createApp installs a RequestPinoLogger, which reads the request scope; no per-request middleware).
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        MetricsModule,
        DatabaseModule,
        AuditModule,
        GroupsModule,
        UsersModule,
        HealthcarePartiesModule,
        AuthModule,
        ProvisioningModule,
        NativeProfileModule,
        NativeAuditModule,
        NativeWebhooksModule,
        InfermedicaModule,
        NablaModule,
        AccountsModule,
        WellKnownModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: ProfileRegistry, useValue: new ProfileRegistry(new NativeErrorRenderer()) },
        { provide: APP_FILTER, useClass: ProfileExceptionFilter },
        { provide: APP_PIPE, useClass: CoreValidationPipe },
      ],
      exports: [ProfileRegistry],
    };
  }
}
