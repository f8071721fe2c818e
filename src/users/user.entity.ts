import { Column, Entity, Index, Unique } from 'typeorm';
import { BoolColumn, BYTEWISE, EpochColumn, JsonColumn } from '../database/columns';
import { TenantDocument } from '../database/tenant-document';
import type { PropertyValue } from '../groups/group.model';
import type { User, UserStatus } from './user.model';

export type { UserStatus } from './user.model';

/** A user of one group. Every field of iCure's User plus what the other profiles need. */
@Entity('users')
@Unique('uq_users_group_login', ['groupId', 'login'])
@Unique('uq_users_group_email', ['groupId', 'email'])
@Unique('uq_users_group_mobile_phone', ['groupId', 'mobilePhone'])
@Unique('uq_users_group_external_id', ['groupId', 'externalId'])
@Index('idx_users_group_login_id', ['groupId', 'login', 'id'])
@Index('idx_users_group_hcp_id', ['groupId', 'healthcarePartyId', 'id'])
@Index('idx_users_group_patient_id', ['groupId', 'patientId', 'id'])
@Index('idx_users_group_id', ['groupId', 'id'])
@Index('idx_users_group_created', ['groupId', 'created', 'id'])
@Index('idx_users_group_login_key', ['groupId', 'loginKey', 'id'])
@Index('idx_users_login', ['login', 'groupId', 'id'])
@Index('idx_users_email_key', ['emailKey', 'groupId', 'id'])
@Index('idx_users_mobile_phone', ['mobilePhone', 'groupId', 'id'])
// Live users of a group, and whether each is a patient only: counts (totalSize, capped) read this index alone.
@Index('idx_users_live_group', ['groupId', 'patientId', 'healthcarePartyId', 'deletionDate'], { where: '"deletion_date" IS NULL' })
export class UserEntity extends TenantDocument implements User {
  @Column({ type: 'varchar', length: 255, nullable: true })
  login: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** `login` or '' when absent: the keyset order of user lists, served by an index as is. */
  @Column({ name: 'login_key', type: 'varchar', length: 255, default: '', ...BYTEWISE })
  loginKey: string;

  /** `email` in lower case: case-insensitive lookups through a plain index on both dialects. */
  @Column({ name: 'email_key', type: 'varchar', length: 320, nullable: true })
  emailKey: string | null;

  @Column({ name: 'mobile_phone', type: 'varchar', length: 32, nullable: true })
  mobilePhone: string | null;

  @Column({ name: 'external_id', type: 'varchar', length: 256, nullable: true })
  externalId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ name: 'date_of_birth', type: 'varchar', length: 10, nullable: true })
  dateOfBirth: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  language: string | null;

  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status: UserStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  type: string | null;

  /** argon2id string, or a legacy 64-hex SHA-256 upgraded at the next login. Never leaves the core. */
  @Column({ name: 'password_hash', type: 'varchar', length: 512, nullable: true })
  passwordHash: string | null;

  /** TOTP secret (base32). Never leaves the core. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  secret: string | null;

  @BoolColumn({ name: 'use_2fa' })
  use2fa: boolean;

  @JsonColumn()
  roles: string[] | null;

  @JsonColumn()
  permissions: unknown[] | null;

  @JsonColumn()
  properties: PropertyValue[] | null;

  @JsonColumn({ name: 'auto_delegations' })
  autoDelegations: Record<string, string[]> | null;

  @JsonColumn()
  metadata: Record<string, string> | null;

  @Column({ name: 'healthcare_party_id', type: 'varchar', length: 64, nullable: true })
  healthcarePartyId: string | null;

  @Column({ name: 'patient_id', type: 'varchar', length: 64, nullable: true })
  patientId: string | null;

  @Column({ name: 'device_id', type: 'varchar', length: 64, nullable: true })
  deviceId: string | null;

  @EpochColumn({ name: 'created_date' })
  createdDate: number | null;

  @EpochColumn({ name: 'terms_of_use_date' })
  termsOfUseDate: number | null;

  @BoolColumn()
  confirmed: boolean;

  @BoolColumn()
  clinical: boolean;

  @BoolColumn()
  template: boolean;

  @BoolColumn({ name: 'native_signup' })
  nativeSignup: boolean;

  /** Profile-level role label (e.g. "parent" for /v1/users registrations). */
  @Column({ name: 'account_role', type: 'varchar', length: 32, nullable: true })
  accountRole: string | null;

  @Column({ name: 'failed_login_count', type: 'integer', default: 0 })
  failedLoginCount: number;

  /** Bumped by every change that alters what a token or cached credential of this user may do. */
  @Column({ name: 'security_version', type: 'integer', default: 0 })
  securityVersion: number;

  @EpochColumn({ name: 'locked_until' })
  lockedUntil: number | null;
}
