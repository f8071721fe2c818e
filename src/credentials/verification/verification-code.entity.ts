import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../../database/columns';

/** A confirmation code or password-reset token: stored hashed, expiring, single use, attempt-limited. */
@Entity('verification_codes')
@Index('idx_verification_codes_user_purpose', ['groupId', 'userId', 'purpose'])
export class VerificationCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  purpose: string;

  @Index('idx_verification_codes_hash')
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @EpochColumn({ name: 'created_at', nullable: false })
  createdAt: number;

  @EpochColumn({ name: 'last_sent_at', nullable: false })
  lastSentAt: number;

  @EpochColumn({ name: 'expires_at', nullable: false })
  expiresAt: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer', default: 5 })
  maxAttempts: number;

  @EpochColumn({ name: 'consumed_at' })
  consumedAt: number | null;
}
