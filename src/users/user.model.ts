import type { PropertyValue } from '../groups/group.model';

export type UserStatus = 'ACTIVE' | 'DISABLED' | 'REGISTERING';

/** A user as the core hands it out; profiles render this, never the TypeORM class behind it. */
export interface User {
  id: string;
  groupId: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  login: string | null;
  email: string | null;
  mobilePhone: string | null;
  externalId: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  dateOfBirth: string | null;
  language: string | null;
  status: UserStatus;
  type: string | null;
  /** Never rendered: profiles show at most whether one is set. */
  passwordHash: string | null;
  /** Never rendered. */
  secret: string | null;
  use2fa: boolean;
  roles: string[] | null;
  permissions: unknown[] | null;
  properties: PropertyValue[] | null;
  autoDelegations: Record<string, string[]> | null;
  metadata: Record<string, string> | null;
  healthcarePartyId: string | null;
  patientId: string | null;
  deviceId: string | null;
  createdDate: number | null;
  termsOfUseDate: number | null;
  confirmed: boolean;
  clinical: boolean;
  template: boolean;
  nativeSignup: boolean;
  accountRole: string | null;
  failedLoginCount: number;
  lockedUntil: number | null;
}
