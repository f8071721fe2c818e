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
import { mergeProperties } from './user-properties';
import { assertExternalId, assertMetadata } from './rules/user-attributes.rules';
import type { PropertyValue } from '../groups/group.entity';
import { HealthcarePartiesRepository } from '../healthcare-parties/healthcare-parties.repository';
import { Inject } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { DomainEventsService } from '../audit/domain-events.service';
import { createdFields, userUpdateEvents } from '../audit/domain-event';

/** A blank user with every column at its default; services fill what they know. */
/** Fields a profile may set on create/update; `password` is clear text (or a legacy 64-hex hash). */
export type UserInput = Partial<Omit<UserEntity, 'groupId' | 'rev' | 'passwordHash' | 'failedLoginCount' | 'lockedUntil'>> & {
  password?: string | null;
};

export function blankUser(now: number): UserEntity {
  return Object.assign(new UserEntity(), {
    id: newId(),
    rev: nextRev(),
    created: now,
    modified: now,
    deletionDate: null,
    login: null,
    email: null,
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
    private readonly hcps: HealthcarePartiesRepository,
    private readonly codes: VerificationCodesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: DomainEventsService,
  ) {}

  /** The caller's own user (404 if it was deleted since the token was issued). */
  getCurrent(ctx: RequestContext): Promise<UserEntity> {
    return this.users.getInGroup(ctx, ctx.userId);
  }

  get(ctx: RequestContext, id: string): Promise<UserEntity> {
    return this.users.getInGroup(ctx, id);
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
  async create(ctx: RequestContext, input: UserInput): Promise<UserEntity> {
    const { password, ...fields } = input;
    const user = Object.assign(blankUser(this.clock.now()), this.normalise(fields));
    if (fields.id !== undefined) user.id = fields.id;
    if (!ctx.isAdmin) {
      user.roles = [];
      user.permissions = [];
    } else await this.assertGrantable(ctx, user);
    if (password !== undefined && password !== null) user.passwordHash = await this.encodePassword(password);
    const created = await this.users.insert(ctx, user);
    await this.events.record(ctx, { action: 'user.created', subjectType: 'user', subjectId: user.id, fields: createdFields(input) });
    return created;
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
      (r) => !(current.roles ?? []).includes(r) && !ctx.hasRole(r) && !(ctx.isAdmin && FUNCTIONAL_ROLES.includes(r)),
    );
    if (roles.length) throw new ForbiddenError(`You cannot grant roles you do not hold: ${roles.join(', ')}`);
    const existing = new Set((current.permissions ?? []).map(canonicalJson));
    const added = (next.permissions ?? []).filter((p) => !existing.has(canonicalJson(p)));
    if (!added.length) return;
    const caller = await this.users.findOneInGroup(RequestContext.system(ctx.user.homeGroupId ?? ctx.user.groupId), ctx.userId);
    const held = new Set((caller?.permissions ?? []).map(canonicalJson));
    if (added.some((p) => !held.has(canonicalJson(p)))) throw new ForbiddenError('You cannot grant permissions you do not hold');
  }

  /**
   * Partial update. With `rev`, the write applies only to that revision (stale -> 409); without,
   * to the revision read here (a concurrent writer still gets 409, never a lost update).
   * Role and permission changes need an administrator.
   */
  async update(
    ctx: RequestContext,
    id: string,
    input: UserInput,
    opts: { rev?: string; passwordReset?: boolean } = {},
  ): Promise<UserEntity> {
    const current = await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    const { password, ...fields } = input;
    const patch: Partial<UserEntity> = this.normalise(fields);
    delete patch.id;
    delete (patch as { groupId?: string }).groupId;
    const touchesRoles =
      (patch.roles !== undefined && JSON.stringify(patch.roles) !== JSON.stringify(current.roles ?? [])) ||
      (patch.permissions !== undefined && JSON.stringify(patch.permissions) !== JSON.stringify(current.permissions ?? []));
    if (touchesRoles && !ctx.isAdmin) throw new ForbiddenError('Only an administrator may change roles or permissions');
    if (touchesRoles) await this.assertGrantable(ctx, patch, current);
    if (password !== undefined && password !== null) patch.passwordHash = await this.encodePassword(password);
    patch.modified = this.clock.now();
    const rev = await this.users.updateWithRev(ctx, id, opts.rev ?? current.rev, patch);
    await this.events.record(ctx, ...userUpdateEvents(id, { ...current }, { ...patch }, opts));
    const updated = Object.assign(current, patch, { rev });
    if (patch.status !== undefined && patch.status !== 'ACTIVE') await this.sessions.revokeAllForUser(ctx, id, 'disabled');
    return updated;
  }

  /** Offset page of live users ordered by creation then id. */
  async listPage(ctx: RequestContext, page: number, pageSize: number): Promise<OffsetPage<UserEntity>> {
    const qb = this.users.scoped(ctx).orderBy('u.created', 'ASC').addOrderBy('u.id', 'ASC');
    const [items, total] = await qb
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, total, page, pageSize };
  }

  /** Soft delete: the row stays with a deletionDate; sessions end at once. */
  async softDelete(ctx: RequestContext, id: string): Promise<UserEntity> {
    const current = await this.users.getInGroup(ctx, id);
    const now = this.clock.now();
    const rev = await this.users.updateWithRev(ctx, id, current.rev, { deletionDate: now, modified: now });
    await this.events.record(ctx, { action: 'user.deleted', subjectType: 'user', subjectId: id, fields: ['deletionDate'] });
    await this.sessions.revokeAllForUser(ctx, id, 'deleted');
    return Object.assign(current, { deletionDate: now, rev });
  }

  /** Permanent delete (administrators only): the row, its app tokens, codes and sessions are gone. */
  async hardDelete(ctx: RequestContext, id: string): Promise<void> {
    if (!ctx.isAdmin) throw new ForbiddenError('Only an administrator may delete users permanently');
    await this.users.getInGroup(ctx, id);
    await this.sessions.purgeForUser(ctx, id);
    await this.appTokens.purgeForUser(ctx, id);
    await this.codes.purgeForUser(ctx, id);
    await this.users.deleteRow(ctx, id);
    await this.events.record(ctx, { action: 'user.purged', subjectType: 'user', subjectId: id });
  }

  /**
   * A clear password is checked against the policy and hashed with argon2id; a 64-hex value is
   * kept as a legacy SHA-256 hash (upgraded at the next login).
   */
  async encodePassword(password: string): Promise<string> {
    if (LEGACY_SHA256.test(password)) return password;
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
    const user = await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    if (user.status !== status) {
      user.rev = await this.users.updateWithRev(ctx, id, user.rev, { status, modified: this.clock.now() });
      await this.events.record(ctx, ...userUpdateEvents(id, { status: user.status }, { status }));
      user.status = status;
    }
    if (status !== 'ACTIVE') await this.sessions.revokeAllForUser(ctx, id, reason);
    return user;
  }

  /** Merges PropertyStubs by type.identifier (self or admin), within the configured limits. */
  async setProperties(ctx: RequestContext, id: string, stubs: PropertyValue[]): Promise<UserEntity> {
    const current = await this.users.getInGroup(ctx, id);
    assertSelfOrAdmin(ctx, id);
    const properties = mergeProperties(current.properties ?? [], stubs, this.config.properties);
    return this.update(ctx, id, { properties }, { rev: current.rev });
  }

  /** Links the caller to a healthcare party of its group (404 if there is none with that id). */
  async assignHealthcareParty(ctx: RequestContext, hcpId: string): Promise<UserEntity> {
    NotFoundError.assert(await this.hcps.findOneInGroup(ctx, hcpId), 'HealthcareParty', hcpId);
    const current = await this.users.getInGroup(ctx, ctx.userId);
    return this.update(ctx, current.id, { healthcarePartyId: hcpId }, { rev: current.rev });
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

/** Roles that only describe what a user is (iCure's HCP/PATIENT/DEVICE/USER, Nabla's PRACTITIONER). */
export const FUNCTIONAL_ROLES: readonly string[] = ['USER', 'HCP', 'PATIENT', 'DEVICE', 'PRACTITIONER'];

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
