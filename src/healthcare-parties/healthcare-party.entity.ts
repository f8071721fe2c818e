import { Column, Entity, Index } from 'typeorm';
import { BYTEWISE, JsonColumn } from '../database/columns';
import { TenantDocument } from '../database/tenant-document';
import type { HealthcareParty } from './healthcare-party.model';

/**
 * A practitioner or organisation users act for. Searchable fields are columns; the rest of the
 * iCure HealthcareParty document lives in `extra`.
 */
@Entity('healthcare_parties')
@Index('idx_hcp_group_last_name', ['groupId', 'lastName', 'id'])
@Index('idx_hcp_group_parent_id', ['groupId', 'parentId', 'id'])
@Index('idx_hcp_group_last_name_key', ['groupId', 'lastNameKey', 'id'])
@Index('idx_hcp_group_name', ['groupId', 'name', 'id'])
@Index('idx_hcp_group_id', ['groupId', 'id'])
export class HealthcarePartyEntity extends TenantDocument implements HealthcareParty {
  @Column({ type: 'varchar', length: 255, nullable: true })
  name: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  /** `lastName` or '' when absent: the keyset order of HCP lists, served by an index as is. */
  @Column({ name: 'last_name_key', type: 'varchar', length: 255, default: '', ...BYTEWISE })
  lastNameKey: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  nihii: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ssin: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  cbe: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ehp: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  speciality: string | null;

  @Column({ name: 'nihii_spec_code', type: 'varchar', length: 64, nullable: true })
  nihiiSpecCode: string | null;

  @Column({ name: 'parent_id', type: 'varchar', length: 64, nullable: true })
  parentId: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 64, nullable: true })
  userId: string | null;

  /** Normalised search words (lower case, accents folded), space separated. */
  @Column({ name: 'search_terms', type: 'text', nullable: true })
  searchTerms: string | null;

  /** Postal codes of the addresses, space separated, for speciality/post-code ranges. */
  @Column({ name: 'postal_codes', type: 'varchar', length: 1024, nullable: true })
  postalCodes: string | null;

  @JsonColumn()
  extra: Record<string, unknown> | null;
}
