import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditRetentionService } from './audit-retention.service';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { DomainEventsService } from './domain-events.service';
import { RequestMetadataInterceptor } from './request-metadata';
import { AuditSigningKey } from './signing-key';

/** Domain events (outbox + hash-chained audit trail); global so every write path can record. */
@Global()
@Module({
  providers: [
    AuditRepository,
    DomainEventsService,
    AuditService,
    AuditSigningKey,
    AuditRetentionService,
    { provide: APP_INTERCEPTOR, useClass: RequestMetadataInterceptor },
  ],
  exports: [DomainEventsService, AuditService, AuditRetentionService],
})
export class AuditModule {}
