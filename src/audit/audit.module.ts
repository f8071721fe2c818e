import { Global, Module } from '@nestjs/common';
import { AuditRetentionService } from './audit-retention.service';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { DomainEventsService } from './domain-events.service';
import { AuditSigningKey } from './signing-key';

/** Domain events (outbox + hash-chained audit trail); global so every write path can record. */
@Global()
@Module({
  providers: [AuditRepository, DomainEventsService, AuditService, AuditSigningKey, AuditRetentionService],
  exports: [DomainEventsService, AuditService, AuditRetentionService],
})
export class AuditModule {}
