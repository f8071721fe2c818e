import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import { EpochColumn } from '../../database/columns';

/** An app token (`/user/token/{userId}/{key}`): one per (user, key), stored as a SHA-256 hash. */
@Entity('authentication_tokens')
@Unique('uq_auth_tokens_user_key', ['groupId', 'userId', 'key'])
export class AuthenticationTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('idx_auth_tokens_group')
  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Index('idx_auth_tokens_user')
  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'varchar', length: 255 })
  key: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @EpochColumn({ name: 'creation_time', nullable: false })
  creationTime: number;

  /** Seconds; -1 never expires. */
  @Column({ type: 'integer' })
  validity: number;

  @EpochColumn({ name: 'deletion_date' })
  deletionDate: number | null;
}
