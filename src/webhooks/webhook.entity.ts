import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BoolColumn, EpochColumn, JsonColumn } from '../database/columns';

/** An endpoint registered by a group's administrators. */
@Entity('webhooks')
@Index('idx_webhooks_group', ['groupId', 'id'])
export class WebhookEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** `whsec_` + base64 of the key; the key signs every delivery. */
  @Column({ type: 'varchar', length: 128 })
  secret: string;

  /** The secret a rotation replaced, still signing beside `secret` until `previousSecretUntil`. */
  @Column({ name: 'previous_secret', type: 'varchar', length: 128, nullable: true })
  previousSecret: string | null;

  /** End (epoch ms, exclusive) of the rotation's grace period; null: no previous secret. */
  @EpochColumn({ name: 'previous_secret_until' })
  previousSecretUntil: number | null;

  /** Subscribed actions; null = every action. */
  @JsonColumn({ name: 'event_types' })
  eventTypes: string[] | null;

  @BoolColumn({ name: 'include_subgroups' })
  includeSubgroups: boolean;

  @BoolColumn({ default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  @EpochColumn({ nullable: false })
  created: number;

  @EpochColumn({ nullable: false })
  modified: number;
}
