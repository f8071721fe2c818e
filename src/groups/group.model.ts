/** One property (iCure PropertyStub) of a group or a user. */
export interface PropertyValue {
  id?: string;
  type?: { identifier: string; type?: string };
  typedValue?: Record<string, unknown>;
  deletionDate?: number;
  encryptedSelf?: string;
}

/** A group as the core hands it out; profiles render this, never the TypeORM class behind it. */
export interface Group {
  id: string;
  rev: string;
  name: string;
  superGroupId: string | null;
  path: string;
  type: string | null;
  superAdmin: boolean;
  properties: PropertyValue[] | null;
  tags: unknown[] | null;
  defaultUserRoles: Record<string, string[]> | null;
  created: number;
  modified: number;
  deletionDate: number | null;
  /** Ancestors root first. */
  readonly ancestorIds: string[];
}
