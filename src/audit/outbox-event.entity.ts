import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';
import { EventColumns } from './event-columns';

/**
 * The transactional outbox: written in the transaction of the change, read by the webhook
 * dispatcher in `position` order. `dispatchedAt` is set once the event was fanned out to hooks.
 */
@Entity('outbox_events')
@Index('idx_outbox_pending', ['dispatchedAt', 'position'])
@Index('uq_outbox_event_id', ['id'], { unique: true })
export class OutboxEventEntity extends EventColumns {
  @PrimaryGeneratedColumn({ type: 'integer' })
  position: number;

  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @EpochColumn({ name: 'dispatched_at' })
  dispatchedAt: number | null;
}
