import { DomainEventsService } from '../audit/domain-events.service';
import { Inject, Injectable } from '@nestjs/common';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { SessionsService } from '../credentials/sessions/sessions.service';
import { VerificationCodesService } from '../credentials/verification/verification-codes.service';
import { NotFoundError, ValidationError } from '../common/errors';
import { newId } from '../common/ids';
import { emailProblem } from '../common/validation/email';
import { ADMINISTRATOR, RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { HcpDocument } from '../healthcare-parties/hcp-document';
import { HealthcarePartiesService } from '../healthcare-parties/healthcare-parties.service';
import { UserInput, UsersService } from '../users/users.service';
import { GroupEntity } from '../groups/group.entity';
import { GroupsRepository } from '../groups/groups.repository';
import { GroupsService } from '../groups/groups.service';

export interface DatabaseInitialisation {
  users?: Record<string, unknown>[] | null;
  healthcareParties?: HcpDocument[] | null;
  replication?: unknown;
}

export interface GroupDeletionReport {
  type: string;
  id: string;
  server: string | null;
}

const USER_FIELDS = [
  'id',
  'login',
  'email',
  'mobilePhone',
  'name',
  'firstName',
  'lastName',
  'status',
  'roles',
  'healthcarePartyId',
  'patientId',
  'deviceId',
  'properties',
  'language',
] as const;

/** RegistrationInformation {firstName?, lastName?, emailAddress, userOptions?, userRoles?}; unknown fields refused. */
function checkRegistrationInformation(raw: unknown): { firstName?: string; lastName?: string; emailAddress: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ValidationError([{ loc: [], type: 'model_attributes_type', msg: 'The body must be a RegistrationInformation object' }]);
  const b = raw as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !['firstName', 'lastName', 'emailAddress', 'userOptions', 'userRoles'].includes(k));
  if (extra.length) throw ValidationError.field(extra[0], `property ${extra[0]} should not exist`, b[extra[0]], 'extra_forbidden');
  for (const k of ['firstName', 'lastName', 'userOptions'] as const) {
    if (b[k] !== undefined && b[k] !== null && (typeof b[k] !== 'string' || b[k].length > 255))
      throw ValidationError.field(k, `${k} must be a string of at most 255 characters`, b[k]);
  }
  if (typeof b.emailAddress !== 'string' || b.emailAddress.length > 320 || emailProblem(b.emailAddress.trim()) !== null)
    throw ValidationError.field('emailAddress', 'emailAddress must be an email address', b.emailAddress);
  return {
    firstName: (b.firstName as string | undefined) ?? undefined,
    lastName: (b.lastName as string | undefined) ?? undefined,
    emailAddress: b.emailAddress,
  };
}

/** Group lifecycle across modules: creation with seeding, trial registration, hard delete. */
@Injectable()
export class GroupAdminService {
  constructor(
    private readonly groups: GroupsService,
    private readonly repo: GroupsRepository,
    private readonly users: UsersService,
    private readonly hcps: HealthcarePartiesService,
    private readonly appTokens: AppTokensService,
    private readonly sessions: SessionsService,
    private readonly codes: VerificationCodesService,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: DomainEventsService,
  ) {}

  /**
   * Creates group `id` under the caller's group (or under `superGroup`, which must be in the
   * caller's subtree: 404 otherwise). Only administrators of the root group or of a superAdmin
   * group may create (403). `init` seeds users and HCPs in the new group; nothing is written if
   * any of them is refused. Users get only roles the caller holds (403 otherwise).
   */
  async create(
    ctx: RequestContext,
    id: string,
    input: { name: string; superGroup?: string; type?: string },
    init?: DatabaseInitialisation | null,
  ): Promise<GroupEntity> {
    await this.groups.assertMayCreateGroups(ctx);
    const parent = input.superGroup
      ? await this.groups.getVisible(ctx, input.superGroup)
      : NotFoundError.assert(await this.groups.findById(ctx, ctx.groupId), 'Group', ctx.groupId);
    await this.groups.assertNewId(ctx, id);
    const name = input.name.trim();
    if (!name || name.length > 255)
      throw new ValidationError([{ loc: ['name'], type: 'value_error', msg: 'name must be 1 to 255 characters', input: input.name }]);
    const seedUsers = await Promise.all(this.checkInit(ctx, id, init).map((u) => this.withEncodedPassword(u)));
    return this.tx.run(ctx, async (tctx) => {
      const g = await this.groups.createGroup(tctx, { id, name, parent, type: input.type });
      const gctx = tctx.inGroup(g.id, g.ancestorIds);
      for (const u of seedUsers) await this.users.create(gctx, u);
      for (const h of init?.healthcareParties ?? []) await this.hcps.create(gctx, h);
      return g;
    });
  }

  /** Seeded passwords are hashed before the group's transaction opens (TransactionRunner, rule 2). */
  private async withEncodedPassword(u: UserInput): Promise<UserInput> {
    if (u.password === undefined || u.password === null) return u;
    const { password, ...rest } = u;
    return { ...rest, encodedPassword: await this.users.encodePassword(password, true) };
  }

  private checkInit(ctx: RequestContext, groupId: string, init?: DatabaseInitialisation | null): UserInput[] {
    if (init === undefined || init === null) return [];
    if (typeof init !== 'object' || Array.isArray(init))
      throw new ValidationError([
        { loc: [], type: 'model_attributes_type', msg: 'The body must be a DatabaseInitialisation object or null' },
      ]);
    const extra = Object.keys(init).filter((k) => !['users', 'healthcareParties', 'replication'].includes(k));
    if (extra.length) throw ValidationError.field(extra[0], 'Unknown field of DatabaseInitialisation', undefined, 'extra_forbidden');
    for (const k of ['users', 'healthcareParties'] as const) {
      if (init[k] !== undefined && init[k] !== null && !Array.isArray(init[k])) throw ValidationError.field(k, `${k} must be an array`);
    }
    for (const [i, h] of (init.healthcareParties ?? []).entries()) {
      if (h && typeof h === 'object' && h.groupId !== undefined && h.groupId !== groupId)
        throw new ValidationError([
          { loc: ['healthcareParties', i, 'groupId'], type: 'value_error', msg: 'groupId must be the new group' },
        ]);
    }
    return (init.users ?? []).map((raw, i) => {
      if (!raw || typeof raw !== 'object')
        throw new ValidationError([{ loc: ['users', i], type: 'model_attributes_type', msg: 'Each user must be an object' }]);
      if (raw.groupId !== undefined && raw.groupId !== null && raw.groupId !== groupId)
        throw new ValidationError([{ loc: ['users', i, 'groupId'], type: 'value_error', msg: 'groupId must be the new group' }]);
      const roles = raw.roles ?? [];
      if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))
        throw new ValidationError([{ loc: ['users', i, 'roles'], type: 'list_type', msg: 'roles must be an array of strings' }]);
      const u: Record<string, unknown> = {};
      for (const f of USER_FIELDS) if (raw[f] !== undefined) u[f] = raw[f];
      for (const f of ['login', 'email', 'mobilePhone', 'name', 'id'] as const) {
        if (u[f] !== undefined && u[f] !== null && typeof u[f] !== 'string')
          throw new ValidationError([{ loc: ['users', i, f], type: 'string_type', msg: `${f} must be a string` }]);
      }
      if (typeof raw.password === 'string') u.password = raw.password;
      else if (typeof raw.passwordHash === 'string' && raw.passwordHash !== '*') u.password = raw.passwordHash;
      return u;
    });
  }

  /**
   * Self-service trial (only when CAREGATE_TRIAL_REGISTRATION is true; 404 otherwise): a new
   * child group of the root, its first administrator (login = email) and a 24 h login token.
   */
  async registerTrial(raw: unknown): Promise<{ groupId: string; userId: string; token: string }> {
    if (!this.config.trialRegistration)
      throw new NotFoundError('Trial registration is disabled on this server (CAREGATE_TRIAL_REGISTRATION=false)');
    const info = checkRegistrationInformation(raw);
    const root = NotFoundError.assert(await this.groups.findRoot(RequestContext.crossTenant('bootstrap')), 'Root group');
    const email = info.emailAddress.trim().toLowerCase();
    const groupId = newId();
    const name = [info.firstName, info.lastName].filter(Boolean).join(' ').trim() || email;
    return this.tx.run(RequestContext.system(root.id), async (tctx) => {
      const g = await this.groups.createGroup(tctx, { id: groupId, name, parent: root });
      const gctx = RequestContext.system(g.id, g.ancestorIds).withManager(tctx.manager!);
      const user = await this.users.create(gctx, {
        login: email,
        email,
        firstName: info.firstName ?? null,
        lastName: info.lastName ?? null,
        name,
        roles: [ADMINISTRATOR],
      });
      const token = await this.appTokens.issue(gctx, user.id, 'trial-registration', 86400);
      return { groupId: g.id, userId: user.id, token };
    });
  }

  /** Soft delete of a descendant group and its subtree; every session in it ends at once. */
  async softDelete(ctx: RequestContext, id: string): Promise<GroupEntity> {
    const { group, deletedIds } = await this.tx.run(ctx, (tctx) => this.groups.softDelete(tctx, id));
    await this.sessions.revokeGroups(ctx, deletedIds);
    return group;
  }

  /**
   * Permanent delete of a strict descendant of the caller's group and its whole subtree: users,
   * HCPs, app tokens, sessions (revoked at once), verification codes, groups.
   */
  async hardDelete(ctx: RequestContext, id: string): Promise<GroupDeletionReport[]> {
    const g = await this.groups.getAdministered(ctx, id, { strictDescendant: true });
    const subtree = await this.repo.subtree(ctx, g.path);
    const ids = subtree.map((s) => s.id);
    await this.sessions.revokeGroups(ctx, ids);
    await this.tx.run(ctx, async (tctx) => {
      await this.purge(tctx, ids);
      await this.events.record(tctx, {
        action: 'group.purged',
        subjectType: 'group',
        subjectId: g.id,
        groupId: g.superGroupId ?? g.id,
        fields: ids.length > 1 ? ['subgroups'] : [],
      });
    });
    return subtree.map((s) => ({ type: 'group', id: s.id, server: null }));
  }

  /** Each domain deletes its own rows of the groups, credentials first, the groups last. */
  private async purge(ctx: RequestContext, groupIds: string[]): Promise<void> {
    await this.sessions.purgeGroups(ctx, groupIds);
    await this.appTokens.purgeGroups(ctx, groupIds);
    await this.codes.purgeGroups(ctx, groupIds);
    await this.users.purgeGroups(ctx, groupIds);
    await this.hcps.purgeGroups(ctx, groupIds);
    await this.repo.deleteGroups(ctx, groupIds);
  }
}
