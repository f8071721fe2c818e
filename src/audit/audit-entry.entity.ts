import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../database/columns';
import { EventColumns } from './event-columns';

const seqTransformer = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/** One row of a group's hash chain: `hash` = SHA-256 of the canonical form, which includes `prevHash`. */
@Entity('audit_log')
@Index('idx_audit_group_subject', ['groupId', 'subjectId', 'seq'])
@Index('idx_audit_group_actor', ['groupId', 'actor', 'seq'])
@Index('idx_audit_group_time', ['groupId', 'occurredAt'])
export class AuditEntryEntity extends EventColumns {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @PrimaryColumn({ type: 'bigint', transformer: seqTransformer })
  seq: number;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}

/** Where a pruned chain now starts: the last pruned row's seq and hash, signed by the server. */
@Entity('audit_checkpoints')
export class AuditCheckpointEntity {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ type: 'bigint', transformer: seqTransformer })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @EpochColumn({ name: 'signed_at', nullable: false })
  signedAt: number;

  @Column({ type: 'varchar', length: 64 })
  signature: string;
}
