import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BoolColumn, BYTEWISE, EpochColumn, JsonColumn } from '../database/columns';

import type { Group, PropertyValue } from './group.model';

export type { PropertyValue } from './group.model';

/** The ancestor ids, root first, of the group whose `path` (`/root/…/id/`) this is. */
export function ancestorsOfPath(path: string): string[] {
  return path.split('/').filter(Boolean).slice(0, -1);
}

/** A tenant. Groups nest through superGroupId; `path` is `/root/.../id/` for subtree queries. */
@Entity('groups')
@Index('idx_groups_super_group_id', ['superGroupId', 'id'])
export class GroupEntity implements Group {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  rev: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'super_group_id', type: 'varchar', length: 64, nullable: true })
  superGroupId: string | null;

  @Index('idx_groups_path')
  @Column({ type: 'varchar', length: 2048, ...BYTEWISE })
  path: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  type: string | null;

  @BoolColumn({ name: 'super_admin' })
  superAdmin: boolean;

  @JsonColumn()
  properties: PropertyValue[] | null;

  @JsonColumn()
  tags: unknown[] | null;

  @JsonColumn({ name: 'default_user_roles' })
  defaultUserRoles: Record<string, string[]> | null;

  @EpochColumn({ nullable: false })
  created: number;

  @EpochColumn({ nullable: false })
  modified: number;

  @EpochColumn({ name: 'deletion_date' })
  deletionDate: number | null;

  /** Ancestors root first, derived from path. */
  get ancestorIds(): string[] {
    return ancestorsOfPath(this.path);
  }
}
