import { Column, PrimaryColumn } from 'typeorm';
import { EpochColumn } from './columns';

/**
 * The columns every tenant-owned document shares. The group is part of the primary key: the same
 * id may exist in two tenants without either learning of it. `rev` carries optimistic concurrency;
 * `deletionDate` marks a soft delete.
 */
export abstract class TenantDocument {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @Column({ type: 'varchar', length: 64 })
  rev: string;

  @EpochColumn({ nullable: false })
  created: number;

  @EpochColumn({ nullable: false })
  modified: number;

  @EpochColumn({ name: 'deletion_date' })
  deletionDate: number | null;
}
