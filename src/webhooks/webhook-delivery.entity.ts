import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

const intTransformer = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/**
 * One event for one hook. Pending rows are claimed in `eventPosition` order; a row is only
 * claimable when no earlier pending row exists for the same hook and subject (order per subject).
 */
@Entity('webhook_deliveries')
@Index('idx_deliveries_due', ['status', 'nextAttemptAt'])
@Index('idx_deliveries_subject', ['webhookId', 'subjectId', 'eventPosition'])
@Index('idx_deliveries_hook_recent', ['groupId', 'webhookId', 'created'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'webhook_id', type: 'varchar', length: 36 })
  webhookId: string;

  /** The hook's group (tenancy of the delivery log). */
  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId: string;

  @Column({ name: 'event_position', type: 'bigint', transformer: intTransformer })
  eventPosition: number;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** The exact body sent (and signed) on every attempt. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'varchar', length: 16 })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @EpochColumn({ name: 'next_attempt_at', nullable: false })
  nextAttemptAt: number;

  /** A worker owns the row until then (the HTTP call runs outside any transaction). */
  @EpochColumn({ name: 'lease_until' })
  leaseUntil: number | null;

  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 512, nullable: true })
  lastError: string | null;

  @EpochColumn({ nullable: false })
  created: number;

  @EpochColumn({ name: 'completed_at' })
  completedAt: number | null;
}
