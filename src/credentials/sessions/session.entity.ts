import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../../database/columns';

/** A login session: the refresh token is bound to it; every access token carries its id. */
@Entity('sessions')
@Index('idx_sessions_group_user', ['groupId', 'userId'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @EpochColumn({ name: 'created_at', nullable: false })
  createdAt: number;

  @EpochColumn({ name: 'expires_at', nullable: false })
  expiresAt: number;

  @Index('idx_sessions_revoked_at')
  @EpochColumn({ name: 'revoked_at' })
  revokedAt: number | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason: string | null;

  /** The user ids this login matched in other groups (for /user/matches and /auth/switch). */
  @Column({ name: 'matched_user_ids', type: 'text', nullable: true })
  matchedUserIds: string | null;
}
