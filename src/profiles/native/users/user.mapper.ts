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

const opt = <K extends string, V>(key: K, v: V | null | undefined): Partial<Record<K, V>> =>
  v === null || v === undefined ? {} : ({ [key]: v } as Record<K, V>);

export function toNativeUser(u: User, tokens: { key: string; creationTime: number; validity: number }[] = []): NativeUserDto {
  const roles = u.roles ?? [];
  return {
    id: u.id,
    rev: u.rev,
    created: u.created,
    ...opt('deletionDate', u.deletionDate),
    ...opt('name', u.name),
    properties: u.properties ?? [],
    permissions: u.permissions ?? [],
    roles,
    ...opt('type', u.type),
    status: u.status,
    ...opt('login', u.login),
    ...(u.passwordHash ? { passwordHash: '*' } : {}),
    ...(u.use2fa ? { use2fa: true } : {}),
    groupId: u.groupId,
    ...opt('healthcarePartyId', u.healthcarePartyId),
    ...opt('patientId', u.patientId),
    ...opt('deviceId', u.deviceId),
    autoDelegations: u.autoDelegations ?? {},
    ...opt('createdDate', u.createdDate),
    ...opt('termsOfUseDate', u.termsOfUseDate),
    ...opt('email', u.email),
    ...opt('mobilePhone', u.mobilePhone),
    applicationTokens: {},
    authenticationTokens: Object.fromEntries(tokens.map((t) => [t.key, { creationTime: t.creationTime, validity: t.validity }])),
    systemMetadata: { roles, isAdmin: roles.includes('ADMINISTRATOR'), inheritsRoles: false },
  };
}
