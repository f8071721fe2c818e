import { Column } from 'typeorm';
import { EpochColumn, JsonColumn } from '../database/columns';
import type { DomainAction, SubjectType } from './domain-event';

/** The columns of a domain event, shared by the outbox and the audit trail (each declares its own group column). */
export abstract class EventColumns {
  abstract groupId: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  id: string;

  @EpochColumn({ name: 'occurred_at', nullable: false })
  occurredAt: number;

  @Column({ type: 'varchar', length: 64 })
  actor: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: SubjectType;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId: string;

  @Column({ type: 'varchar', length: 64 })
  action: DomainAction;

  @JsonColumn({ nullable: false })
  fields: string[];

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'varchar', length: 128 })
  client: string;
}
