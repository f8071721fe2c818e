/** The actions Caregate records; a webhook may subscribe to any subset. */
export const DOMAIN_ACTIONS = [
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.purged',
  'user.password_changed',
  'user.password_reset',
  'user.roles_changed',
  'app_token.issued',
  'app_token.revoked',
  'login.succeeded',
  'login.failed',
  'account.locked',
  'session.revoked',
  'group.created',
  'group.updated',
  'group.moved',
  'group.renamed',
  'group.deleted',
  'group.purged',
  'hcp.created',
  'hcp.updated',
  'hcp.deleted',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.redelivered',
] as const;

export type DomainAction = (typeof DOMAIN_ACTIONS)[number];

export type SubjectType = 'user' | 'group' | 'hcp' | 'session' | 'webhook';

/** What a service says about a change; the recorder adds id, time, group, actor, request id, IP and client. */
export interface DomainEventInput {
  action: DomainAction;
  subjectType: SubjectType;
  subjectId: string;
  /** Names of the changed fields, never their values (secrets stay out of the trail). */
  fields?: string[];
  /** Overrides the context's user, e.g. the user who logs in. */
  actor?: string;
  /** The tenant the event belongs to when it is not the context's group. */
  groupId?: string;
}

/** A recorded event, as stored in the outbox and the audit trail and sent to webhooks. */
export interface DomainEvent {
  id: string;
  groupId: string;
  occurredAt: number;
  actor: string;
  subjectType: SubjectType;
  subjectId: string;
  action: DomainAction;
  fields: string[];
  requestId: string | null;
  ip: string | null;
  /** Which credential made the change (`session:<id>`, `basic:<login>`, `system`, `anonymous`), so a subscriber can skip its own. */
  client: string;
}

/** Fields whose values are secrets: they appear by name as `password` at most. */
const SECRET_FIELDS = new Set(['password', 'passwordHash', 'encodedPassword', 'secret']);
const BOOKKEEPING = new Set([
  'modified',
  'rev',
  'failedLoginCount',
  'lockedUntil',
  'id',
  'groupId',
  'created',
  'securityVersion',
  'loginKey',
  'emailKey',
]);
const ROLE_FIELDS = new Set(['roles', 'permissions']);

/**
 * The events one user update means: a password change, a role/permission change, a status change
 * and the other changed fields are separate events, so subscribers can pick what they care about.
 */
export function userUpdateEvents(
  userId: string,
  before: Record<string, unknown>,
  patch: Record<string, unknown>,
  opts: { passwordReset?: boolean } = {},
): DomainEventInput[] {
  const changed = Object.keys(patch).filter(
    (k) => !BOOKKEEPING.has(k) && (SECRET_FIELDS.has(k) || JSON.stringify(patch[k] ?? null) !== JSON.stringify(before[k] ?? null)),
  );
  const out: DomainEventInput[] = [];
  const subject = { subjectType: 'user' as const, subjectId: userId };
  if (changed.some((k) => SECRET_FIELDS.has(k) && k !== 'secret'))
    out.push({ ...subject, action: opts.passwordReset ? 'user.password_reset' : 'user.password_changed', fields: ['password'] });
  const roles = changed.filter((k) => ROLE_FIELDS.has(k)).sort();
  if (roles.length) out.push({ ...subject, action: 'user.roles_changed', fields: roles });
  if (changed.includes('status'))
    out.push({ ...subject, action: patch.status === 'ACTIVE' ? 'user.enabled' : 'user.disabled', fields: ['status'] });
  const rest = changed.filter((k) => !ROLE_FIELDS.has(k) && k !== 'status' && (!SECRET_FIELDS.has(k) || k === 'secret'));
  if (rest.length)
    out.push({ ...subject, action: 'user.updated', fields: rest.map((k) => (k === 'secret' ? 'twoFactorSecret' : k)).sort() });
  return out;
}

/** Changed field names of a document replacement (HCP, group), bookkeeping columns aside. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after)
    .filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(after[k] ?? null) !== JSON.stringify(before[k] ?? null))
    .sort();
}

/** Field names given on create (secrets named `password`, empty values left out). */
export function createdFields(input: Record<string, unknown>): string[] {
  return Object.keys(input)
    .filter((k) => !BOOKKEEPING.has(k) && input[k] !== undefined && input[k] !== null)
    .map((k) => (SECRET_FIELDS.has(k) ? (k === 'secret' ? 'twoFactorSecret' : 'password') : k))
    .filter((k, i, all) => all.indexOf(k) === i)
    .sort();
}
