import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import { OffsetPage } from '../common/pagination';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { VerificationCodesService } from '../credentials/verification/verification-codes.service';
import { LEGACY_SHA256 } from '../credentials/password/password-hasher';
import { Clock } from '../common/clock';
import { newId, nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { PasswordHasher } from '../credentials/password/password-hasher';
import { PasswordPolicy } from '../credentials/password/password-policy';
import { SessionsService } from '../credentials/sessions/sessions.service';
import { UserStatus } from './user.entity';
import { assertSelfOrAdmin } from './user-access';
import { mergeProperties } from '../groups/property-merge';
import { assertExternalId, assertMetadata } from './rules/user-attributes.rules';
import type { PropertyValue } from '../groups/group.entity';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { UserEntity } from './user.entity';
import { FunctionalRoles } from './functional-roles';
import { TokenKey, UsersRepository } from './users.repository';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainEventsService } from '../audit/domain-events.service';
import { createdFields, userUpdateEvents } from '../audit/domain-event';

/** A blank user with every column at its default; services fill what they know. */
/** Fields a profile may set on create/update; `password` is clear text (or a legacy 64-hex hash). */
export type UserInput = Partial<
  Omit<UserEntity, 'groupId' | 'rev' | 'passwordHash' | 'failedLoginCount' | 'lockedUntil' | 'securityVersion'>
> & {
  password?: string | null;
  /** `password` already through `encodePassword`: callers that open a transaction hash before it. */
  encodedPassword?: string;
};

export function blankUser(now: number): UserEntity {
  return Object.assign(new UserEntity(), {
    id: newId(),
    rev: nextRev(),
    created: now,
    modified: now,
    deletionDate: null,
    login: null,
    loginKey: '',
    email: null,
    emailKey: null,
    mobilePhone: null,
    externalId: null,
    name: null,
    firstName: null,
    lastName: null,
    dateOfBirth: null,
    language: null,
    status: 'ACTIVE',
    type: 'database',
    passwordHash: null,
    secret: null,
    use2fa: false,
    roles: [],
    permissions: [],
    properties: [],
    autoDelegations: {},
    metadata: null,
    healthcarePartyId: null,
    patientId: null,
    deviceId: null,
    createdDate: now,
    termsOfUseDate: null,
    confirmed: false,
    clinical: false,
    template: false,
    nativeSignup: false,
    accountRole: null,
    failedLoginCount: 0,
    lockedUntil: null,
    securityVersion: 0,
  } satisfies Omit<UserEntity, 'groupId'>);
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionsService,
    private readonly appTokens: AppTokensService,
    private readonly codes: VerificationCodesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly functionalRoles: FunctionalRoles,
    private readonly events: DomainEventsService,
  ) {}

  get(ctx: RequestContext, id: string): Promise<UserEntity> {
    return this.users.getInGroup(ctx, id);
  }

  /** A user with the keys (not values) of its app tokens, as the native read shows them. */
  async getWithTokenKeys(ctx: RequestContext, id: string): Promise<{ user: UserEntity; tokens: TokenKey[] }> {
    return NotFoundError.assert(await this.users.findWithTokenKeys(ctx, id), 'User', id);
  }

  /** Creates a user in ctx's group with a password checked against the policy. */
  async createWithPassword(ctx: RequestContext, fields: Partial<UserEntity>, password: string | undefined): Promise<UserEntity> {
    return this.create(ctx, { ...fields, password });
  }

  /**
   * Creates a user in ctx's group. Contact fields are normalised (trimmed, email lower-cased,
   * blank -> null); roles and permissions are kept only when the caller is an administrator;
   * uniqueness of login, email, phone and external id per group comes from the database (409).
   */
  async create(ctx: RequestContext, input: UserInput, opts: { plainPassword?: boolean } = {}): Promise<UserEntity> {
    const { password, encodedPassword, ...fields } = input;
    const user = Object.assign(blankUser(this.clock.now()), this.normalise(fields));
    if (fields.id !== undefined) user.id = fields.id;
    if (!ctx.isAdmin) {
      user.roles = [];
      user.permissions = [];
    } else await this.assertGrantable(ctx, user);
    if (encodedPassword !== undefined) user.passwordHash = encodedPassword;
    else if (password !== undefined && password !== null)
      user.passwordHash = await this.encodePassword(password, ctx.isAdmin && opts.plainPassword !== true);
    // The row and its domain event commit together.
    return this.tx.run(ctx, async (t) => {
      const created = await this.users.insert(t, user);
      await this.events.record(t, { action: 'user.created', subjectType: 'user', subjectId: user.id, fields: createdFields(input) });
      return created;
    });
  }

  /**
   * Non-escalation, for every profile and route: roles and permissions that a write adds to a user
   * must be held by the caller (403 otherwise); administrators may also hand out the functional
   * roles, which carry no rights in Caregate. What the user already has may stay; the service
   * itself (bootstrap, seeding by the system) is not limited.
   */
  private async assertGrantable(
    ctx: RequestContext,
    next: Pick<Partial<UserEntity>, 'roles' | 'permissions'>,
    current: Pick<Partial<UserEntity>, 'roles' | 'permissions'> = {},
  ): Promise<void> {
    if (ctx.user.authMethod === 'system') return;
    const roles = (next.roles ?? []).filter(
      (r) => !(current.roles ?? []).includes(r) && !ctx.hasRole(r) && !(ctx.isAdmin && this.functionalRoles.has(r)),
    );
    if (roles.length) throw new ForbiddenError(`You cannot grant roles you do not hold: ${roles.join(', ')}`);
    const existing = new Set((current.permissions ?? []).map(canonicalJson));
    const added = (next.permissions ?? []).filter((p) => !existing.has(canonicalJson(p)));
    if (!added.length) return;
    const home = RequestContext.crossTenant('home-group', { groupId: ctx.user.homeGroupId ?? ctx.user.groupId });
    const caller = await this.users.findOneInGroup(home, ctx.userId);
    const held = new Set((caller?.permissions ?? []).map(canonicalJson));
    if (added.some((p) => !held.has(canonicalJson(p)))) throw new ForbiddenError('You cannot grant permissions you do not hold');
  }

  /**
   * Partial update. With `rev`, the write applies only to that revision (stale -> 409); without,
   * to the revision read here (a concurrent writer still gets 409, never a lost update).
   * Role and permission changes need an administrator. A password change ends the user's other
   * sessions when `endOtherSessions` says so, by default for a change of one's own password (the
   * caller's current session stays); `plainPassword` refuses the pre-hashed form even to
   * administrators (a password chosen by the user, e.g. in a reset).
   */
  async update(
    ctx: RequestContext,
    id: string,
    input: UserInput,
    opts: { rev?: string; endOtherSessions?: boolean; plainPassword?: boolean; passwordReset?: boolean } = {},
  ): Promise<UserEntity> {
    const seen = await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    const { password, encodedPassword, ...fields } = input;
    const patch: Partial<UserEntity> = this.normalise(fields);
    delete patch.id;
    delete (patch as { groupId?: string }).groupId;
    delete patch.securityVersion;
    await this.assertRoleChange(ctx, patch, seen);
    // Hashing is slow: done before the transaction opens (TransactionRunner, rule 2).
    if (encodedPassword !== undefined) patch.passwordHash = encodedPassword;
    else if (password !== undefined && password !== null)
      patch.passwordHash = await this.encodePassword(password, ctx.isAdmin && opts.plainPassword !== true);
    const write = async (t: RequestContext): Promise<UserEntity> => {
      let current = seen;
      if (opts.rev === undefined) {
        current = await this.users.getForMerge(t, id);
        if (current.rev !== seen.rev) await this.assertRoleChange(t, patch, current);
      }
      const full: Partial<UserEntity> = { ...patch, modified: this.clock.now() };
      const securityChange =
        touchesRoles(full, current) || full.passwordHash !== undefined || (full.status !== undefined && full.status !== current.status);
      if (securityChange) full.securityVersion = current.securityVersion + 1;
      const rev = await this.users.updateWithRev(t, id, opts.rev ?? current.rev, full);
      await this.events.record(t, ...userUpdateEvents(id, { ...current }, { ...full }, { passwordReset: opts.passwordReset }));
      const updated = Object.assign(current, full, { rev });
      if (securityChange) this.sessions.securityChanged(t, id, updated.securityVersion);
      if (full.status !== undefined && full.status !== 'ACTIVE') await this.sessions.revokeAllForUser(t, id, 'disabled');
      else if (full.passwordHash !== undefined && (opts.endOtherSessions ?? ctx.userId === id)) {
        await this.sessions.revokeAllForUser(t, id, 'password_change', ctx.userId === id ? ctx.user.sessionId : undefined);
      }
      return updated;
    };
    // Without a client rev the server merges onto what it read: its own lost race is retried.
    return opts.rev === undefined ? this.tx.runMerge(ctx, write) : this.tx.run(ctx, write);
  }

  private async assertRoleChange(ctx: RequestContext, patch: Partial<UserEntity>, current: UserEntity): Promise<void> {
    if (!touchesRoles(patch, current)) return;
    if (!ctx.isAdmin) throw new ForbiddenError('Only an administrator may change roles or permissions');
    await this.assertGrantable(ctx, patch, current);
  }

  /** Offset page of live users ordered by creation then id. */
  async listPage(ctx: RequestContext, page: number, pageSize: number): Promise<OffsetPage<UserEntity>> {
    const [items, total] = await Promise.all([
      this.users.pageByCreation(ctx, (page - 1) * pageSize, pageSize),
      this.users.countCapped(ctx),
    ]);
    return { items, total, page, pageSize };
  }

  /** Soft delete: the row stays with a deletionDate; sessions end at once. */
  async softDelete(ctx: RequestContext, id: string): Promise<UserEntity> {
    await this.users.getInGroup(ctx, id);
    return this.tx.runMerge(ctx, async (t) => {
      const current = await this.users.getForMerge(t, id);
      const now = this.clock.now();
      const securityVersion = current.securityVersion + 1;
      const rev = await this.users.updateWithRev(t, id, current.rev, { deletionDate: now, modified: now, securityVersion });
      this.sessions.securityChanged(t, id, securityVersion);
      await this.events.record(t, { action: 'user.deleted', subjectType: 'user', subjectId: id, fields: ['deletionDate'] });
      await this.sessions.revokeAllForUser(t, id, 'deleted');
      return Object.assign(current, { deletionDate: now, rev, securityVersion });
    });
  }

  /** Permanent delete (administrators only): the row, its app tokens, codes and sessions are gone. */
  async hardDelete(ctx: RequestContext, id: string): Promise<void> {
    if (!ctx.isAdmin) throw new ForbiddenError('Only an administrator may delete users permanently');
    const current = await this.users.getInGroup(ctx, id);
    await this.tx.run(ctx, async (t) => {
      this.sessions.securityChanged(t, id, current.securityVersion + 1);
      await this.sessions.purgeForUser(t, id);
      await this.appTokens.purgeForUser(t, id);
      await this.codes.purgeForUser(t, id);
      await this.users.deleteRow(t, id);
      await this.events.record(t, { action: 'user.purged', subjectType: 'user', subjectId: id });
    });
  }

  /** The users of whole groups, for a subtree purge (their credentials are purged by the caller). */
  purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    return this.users.purgeGroups(ctx, groupIds);
  }

  /**
   * A clear password is checked against the policy and hashed with argon2id. Administrators (and
   * the system: seeding, import) may hand a legacy SHA-256 hash instead (64 hex, upgraded at the
   * next login); from anyone else that value is a password like any other, so the policy cannot
   * be bypassed with a pre-computed hash.
   */
  async encodePassword(password: string, allowPreHashed: boolean): Promise<string> {
    if (allowPreHashed && LEGACY_SHA256.test(password)) return password;
    this.policy.assertAcceptable(password);
    return this.hasher.hash(password);
  }

  private normalise(fields: Partial<UserEntity>): Partial<UserEntity> {
    const out: Partial<UserEntity> = { ...fields };
    const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());
    if ('email' in fields) out.email = blankToNull(fields.email)?.toLowerCase() ?? null;
    if ('mobilePhone' in fields) out.mobilePhone = blankToNull(fields.mobilePhone) ?? null;
    if ('login' in fields) out.login = blankToNull(fields.login) ?? null;
    if ('externalId' in fields) out.externalId = fields.externalId ?? null;
    if (out.email && out.email.length > 320)
      throw ValidationError.field('email', 'Email is too long (maximum is 320 characters)', out.email);
    if ('externalId' in fields) assertExternalId(out.externalId);
    if ('metadata' in fields) assertMetadata(fields.metadata ?? null);
    for (const k of Object.keys(out) as (keyof UserEntity)[]) if (out[k] === undefined) delete out[k];
    return out;
  }

  /**
   * Enables or disables a user. Anything but ACTIVE ends every session at once: refresh tokens
   * fail immediately and access tokens are refused by the revocation cache.
   */
  async setStatus(ctx: RequestContext, id: string, status: UserStatus, reason: 'disabled' | 'cancelled' = 'disabled'): Promise<UserEntity> {
    await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    return this.tx.runMerge(ctx, async (t) => {
      const user = await this.users.getForMerge(t, id);
      if (user.status !== status) {
        const securityVersion = user.securityVersion + 1;
        user.rev = await this.users.updateWithRev(t, id, user.rev, { status, modified: this.clock.now(), securityVersion });
        await this.events.record(t, ...userUpdateEvents(id, { status: user.status }, { status }));
        Object.assign(user, { status, securityVersion });
        this.sessions.securityChanged(t, id, securityVersion);
      }
      if (status !== 'ACTIVE') await this.sessions.revokeAllForUser(t, id, reason);
      return user;
    });
  }

  /** Merges PropertyStubs by type.identifier (self or admin), within the configured limits. */
  async setProperties(ctx: RequestContext, id: string, stubs: PropertyValue[]): Promise<UserEntity> {
    const seen = await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    mergeProperties(seen.properties ?? [], stubs, this.config.properties);
    return this.tx.runMerge(ctx, async (t) => {
      const current = await this.users.getForMerge(t, id);
      const properties = mergeProperties(current.properties ?? [], stubs, this.config.properties);
      const modified = this.clock.now();
      const rev = await this.users.updateWithRev(t, id, current.rev, { properties, modified });
      await this.events.record(t, ...userUpdateEvents(id, { ...current }, { properties }));
      return Object.assign(current, { properties, modified, rev });
    });
  }

  /** Does `password` match the caller's own password? */
  async checkOwnPassword(ctx: RequestContext, password: string): Promise<boolean> {
    const user = await this.users.getInGroup(ctx, ctx.userId);
    return this.hasher.verify(user.passwordHash, password);
  }

  /** An argon2id hash of `password` with the configured parameters. */
  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }
}

/** JSON with object keys sorted, so equal permissions compare equal whatever their key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** A change of roles or permissions against the stored user (order-sensitive, as stored). */
function touchesRoles(patch: Partial<UserEntity>, current: UserEntity): boolean {
  return (
    (patch.roles !== undefined && JSON.stringify(patch.roles) !== JSON.stringify(current.roles ?? [])) ||
    (patch.permissions !== undefined && JSON.stringify(patch.permissions) !== JSON.stringify(current.permissions ?? []))
  );
}
