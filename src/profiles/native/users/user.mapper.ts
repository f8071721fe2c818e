import type { User } from '../../../users/user.model';

/** iCure `User` as the native profile shows it: no secret, `"*"` for a set password, tokens without values. */
export interface NativeUserDto {
  id: string;
  rev: string;
  created: number;
  deletionDate?: number;
  name?: string;
  properties: unknown[];
  permissions: unknown[];
  roles: string[];
  type?: string;
  status: string;
  login?: string;
  passwordHash?: string;
  use2fa?: boolean;
  groupId: string;
  healthcarePartyId?: string;
  patientId?: string;
  deviceId?: string;
  autoDelegations: Record<string, string[]>;
  createdDate?: number;
  termsOfUseDate?: number;
  email?: string;
  mobilePhone?: string;
  applicationTokens: Record<string, string>;
  authenticationTokens: Record<string, { creationTime: number; validity: number }>;
  systemMetadata: { roles: string[]; isAdmin: boolean; inheritsRoles: boolean };
}

/**
 * Built by assignment in the document's key order (a read path: no intermediate objects). Absent
 * optional fields are left out, as iCure does.
 */
export function toNativeUser(u: User, tokens: { key: string; creationTime: number; validity: number }[] = []): NativeUserDto {
  const roles = u.roles ?? [];
  const out = { id: u.id, rev: u.rev, created: u.created } as NativeUserDto;
  if (u.deletionDate !== null && u.deletionDate !== undefined) out.deletionDate = u.deletionDate;
  if (u.name !== null && u.name !== undefined) out.name = u.name;
  out.properties = u.properties ?? [];
  out.permissions = u.permissions ?? [];
  out.roles = roles;
  if (u.type !== null && u.type !== undefined) out.type = u.type;
  out.status = u.status;
  if (u.login !== null && u.login !== undefined) out.login = u.login;
  if (u.passwordHash) out.passwordHash = '*';
  if (u.use2fa) out.use2fa = true;
  out.groupId = u.groupId;
  if (u.healthcarePartyId !== null && u.healthcarePartyId !== undefined) out.healthcarePartyId = u.healthcarePartyId;
  if (u.patientId !== null && u.patientId !== undefined) out.patientId = u.patientId;
  if (u.deviceId !== null && u.deviceId !== undefined) out.deviceId = u.deviceId;
  out.autoDelegations = u.autoDelegations ?? {};
  if (u.createdDate !== null && u.createdDate !== undefined) out.createdDate = u.createdDate;
  if (u.termsOfUseDate !== null && u.termsOfUseDate !== undefined) out.termsOfUseDate = u.termsOfUseDate;
  if (u.email !== null && u.email !== undefined) out.email = u.email;
  if (u.mobilePhone !== null && u.mobilePhone !== undefined) out.mobilePhone = u.mobilePhone;
  out.applicationTokens = {};
  // fromEntries: a client-chosen key (even `__proto__`) is an own property.
  out.authenticationTokens = tokens.length
    ? Object.fromEntries(tokens.map((t) => [t.key, { creationTime: t.creationTime, validity: t.validity }]))
    : {};
  out.systemMetadata = { roles, isAdmin: roles.includes('ADMINISTRATOR'), inheritsRoles: false };
  return out;
}
