import { DomainEventsService } from '../audit/domain-events.service';
import { changedFields, createdFields } from '../audit/domain-event';
import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { Clock } from '../common/clock';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '../common/errors';
import { newId, nextRev } from '../common/ids';
import { KeysetPage, MATCH_CAP, pageLimit, toKeysetPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import type { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { HcpDocument, toColumns, toDocument } from './hcp-document';
import { HealthcarePartiesRepository } from './healthcare-parties.repository';
import { HealthcarePartyEntity } from './healthcare-party.entity';

export const HCP_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface PageQuery {
  startKey?: string;
  startDocumentId?: string;
  limit?: number;
  desc?: boolean;
}

type Filter = Record<string, unknown> & { $type?: unknown };

/**
 * Healthcare parties of the context's group. Rules: one of name, lastName, nihii, ssin is
 * required; `rev` on create is refused; parent chains may not loop (422); a body `groupId` other
 * than the context's group is refused (400). Writes by non-administrators: only modify, and only
 * of the caller's own HCP (`user.healthcarePartyId`) — create and delete are admin-only routes.
 */
@Injectable()
export class HealthcarePartiesService {
  constructor(
    private readonly hcps: HealthcarePartiesRepository,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly appTokens: AppTokensService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
    private readonly events: DomainEventsService,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity> {
    return NotFoundError.assert(await this.hcps.findOneInGroup(ctx, id), 'HealthcareParty', id);
  }

  /** Present ids in request order; missing ones skipped. */
  async getMany(ctx: RequestContext, ids: string[]): Promise<HealthcarePartyEntity[]> {
    const found = await this.hcps.findManyInGroup(ctx, [...new Set(ids)]);
    const byId = new Map(found.map((h) => [h.id, h]));
    return ids.map((id) => byId.get(id)).filter((h): h is HealthcarePartyEntity => !!h);
  }

  async current(ctx: RequestContext): Promise<HealthcarePartyEntity> {
    const user = await this.users.getInGroup(ctx, ctx.userId);
    if (!user.healthcarePartyId) throw new NotFoundError('The current user has no healthcare party');
    return this.get(ctx, user.healthcarePartyId);
  }

  /** HCPs whose parent is `parentId` (the parent itself must exist in the group, else 404). */
  async children(ctx: RequestContext, parentId: string): Promise<HealthcarePartyEntity[]> {
    await this.get(ctx, parentId);
    return this.hcps.children(ctx, parentId);
  }

  /** Ordered by last name then id (startKey = last name); `name` (optional) = folded prefix of every word on name parts. */
  async listByLastName(ctx: RequestContext, q: PageQuery & { name?: string }): Promise<KeysetPage<HealthcarePartyEntity>> {
    const limit = this.limitOf(q.limit);
    const rows = await this.hcps.byLastName(ctx, { ...q, limit: limit + 1 });
    return toKeysetPage(rows, limit, await this.hcps.countCapped(ctx), (h) => h.lastName ?? '');
  }

  /** Exact `name` (organisation name) match. */
  byNameStrict(ctx: RequestContext, name: string): Promise<HealthcarePartyEntity[]> {
    return this.hcps.byName(ctx, name);
  }

  /** Prefix over ssin, nihii, cbe and ehp, ordered by id (startKey/startDocumentId = id). */
  async byNihiiOrSsin(ctx: RequestContext, value: string, q: PageQuery): Promise<KeysetPage<HealthcarePartyEntity>> {
    const limit = this.limitOf(q.limit);
    const rows = await this.hcps.byNihiiOrSsin(ctx, value.replace(/[%_\\]/g, ''), {
      start: q.startDocumentId ?? q.startKey,
      limit: limit + 1,
      desc: q.desc,
    });
    return toKeysetPage(rows, limit, await this.hcps.countCapped(ctx), (h) => h.id);
  }

  /** Key [speciality, nihiiSpecCode, postalCode]: speciality = type, nihiiSpecCode = spec, a postal code in [first, last]. */
  async bySpecialityAndPostCode(
    ctx: RequestContext,
    type: string,
    spec: string,
    first: string,
    last: string,
    q: PageQuery,
  ): Promise<KeysetPage<HealthcarePartyEntity>> {
    const limit = this.limitOf(q.limit);
    const rows = await this.hcps.bySpecialityAndPostCode(ctx, { type, spec, first, last }, { start: q.startDocumentId, limit: limit + 1 });
    return toKeysetPage(rows, limit, rows.length, (h) => [type, spec, (h.postalCodes ?? '').trim().split(' ')[0]]);
  }

  /** Filter chain: resolve to ordered ids, drop until startDocumentId, page by limit. */
  async filter(
    ctx: RequestContext,
    chain: unknown,
    q: { startDocumentId?: string; limit?: number },
  ): Promise<KeysetPage<HealthcarePartyEntity>> {
    const c = chain as { filter?: unknown; predicate?: unknown } | null;
    if (!c || typeof c !== 'object' || !c.filter) throw ValidationError.field('filter', 'A filter chain needs a filter');
    if (c.predicate !== undefined && c.predicate !== null && (c.predicate as Filter).$type !== 'AlwaysPredicate') {
      throw new BadRequestError(`Unsupported predicate ${String((c.predicate as Filter).$type)}: only AlwaysPredicate is supported`);
    }
    const limit = this.limitOf(q.limit);
    const rows = await this.hcps.filterPage(ctx, c.filter, { from: q.startDocumentId, limit: limit + 1 });
    return toKeysetPage(rows, limit, rows.length, (h) => h.id);
  }

  /** Ids (sorted) matching an HCP filter, the first MATCH_CAP; unknown `$type` -> 400. */
  match(ctx: RequestContext, filter: unknown): Promise<string[]> {
    return this.hcps.filterIds(ctx, filter, MATCH_CAP);
  }

  async create(ctx: RequestContext, doc: HcpDocument): Promise<HealthcarePartyEntity> {
    this.assertDocument(ctx, doc);
    if (doc.rev !== undefined && doc.rev !== null) throw ValidationError.field('rev', 'A new entity should not have a rev', doc.rev);
    const id = doc.id ?? newId();
    if (typeof id !== 'string' || !HCP_ID.test(id))
      throw ValidationError.field('id', 'id must be 1 to 64 characters among letters, digits, . _ : -', id);
    await this.assertParent(ctx, id, toColumns(doc).parentId ?? null);
    const now = this.clock.now();
    const e = Object.assign(new HealthcarePartyEntity(), toColumns(doc), {
      id,
      rev: nextRev(),
      created: now,
      modified: now,
      deletionDate: null,
    });
    if ((await this.hcps.findAnyInGroup(ctx, id)) !== null)
      throw new ConflictError('DUPLICATE', `HealthcareParty ${id} already exists`, ['id']);
    const created = await this.hcps.insert(ctx, e);
    await this.events.record(ctx, { action: 'hcp.created', subjectType: 'hcp', subjectId: id, fields: createdFields(toColumns(doc)) });
    return created;
  }

  /** Full replacement of the document at `rev` (stale -> 409, missing -> 404). */
  async modify(ctx: RequestContext, doc: HcpDocument): Promise<HealthcarePartyEntity> {
    this.assertDocument(ctx, doc);
    if (typeof doc.id !== 'string' || !doc.id) throw ValidationError.field('id', 'id is required', doc.id, 'missing');
    if (typeof doc.rev !== 'string' || !doc.rev) throw ValidationError.field('rev', 'rev is required', doc.rev, 'missing');
    const current = await this.get(ctx, doc.id);
    if (!ctx.isAdmin) {
      const me = await this.users.findOneInGroup(ctx, ctx.userId);
      if (me?.healthcarePartyId !== current.id)
        throw new ForbiddenError('Only an administrator may modify a healthcare party other than your own');
    }
    const cols = toColumns(doc);
    if (!ctx.isAdmin && ((cols.userId ?? null) !== current.userId || (cols.parentId ?? null) !== current.parentId)) {
      throw new ForbiddenError('Only an administrator may change userId or parentId of a healthcare party');
    }
    await this.assertParent(ctx, current.id, cols.parentId ?? null);
    const patch = { ...cols, rev: nextRev(doc.rev), modified: this.clock.now() };
    await this.hcps.updateWithRev(ctx, current.id, doc.rev, patch);
    await this.events.record(ctx, {
      action: 'hcp.updated',
      subjectType: 'hcp',
      subjectId: current.id,
      fields: changedFields({ ...current }, cols),
    });
    return Object.assign(current, patch);
  }

  /** Soft-deletes the present ids (missing skipped); 404 when none is present. */
  async deleteMany(ctx: RequestContext, ids: string[]): Promise<{ id: string; rev: string }[]> {
    // One transaction for the whole list, at the revisions read in it (the server's own race is retried).
    return this.tx.runMerge(ctx, async (t) => {
      const found = await this.getMany(t, ids);
      if (!found.length) throw new NotFoundError('HealthcareParty', ids.join(','));
      const out: { id: string; rev: string }[] = [];
      for (const h of found) {
        const rev = nextRev(h.rev);
        const now = this.clock.now();
        await this.hcps.updateWithRev(t, h.id, h.rev, { rev, deletionDate: now, modified: now });
        await this.events.record(t, { action: 'hcp.deleted', subjectType: 'hcp', subjectId: h.id, fields: ['deletionDate'] });
        out.push({ id: h.id, rev });
      }
      return out;
    });
  }

  /** Links the caller to a healthcare party of its group (404 if there is none with that id). */
  async assignToCaller(ctx: RequestContext, hcpId: string): Promise<UserEntity> {
    await this.get(ctx, hcpId);
    const current = await this.users.getInGroup(ctx, ctx.userId);
    return this.usersService.update(ctx, current.id, { healthcarePartyId: hcpId }, { rev: current.rev });
  }

  /** The HCPs of whole groups, for a subtree purge. */
  purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    return this.hcps.purgeGroups(ctx, groupIds);
  }

  async publicKey(ctx: RequestContext, id: string): Promise<{ hcPartyId: string; hexString: string }> {
    const h = await this.get(ctx, id);
    const hex = h.extra?.publicKey;
    if (typeof hex !== 'string' || !hex) throw new NotFoundError(`Public key of HealthcareParty ${id}`);
    return { hcPartyId: id, hexString: hex };
  }

  /** `{delegatorId: key}` for every HCP of the group whose hcPartyKeys hold `id` (legacy crypto). */
  async keysForDelegate(ctx: RequestContext, id: string): Promise<Record<string, string>> {
    await this.get(ctx, id);
    const out: Record<string, string> = {};
    for (const h of await this.hcps.delegatorsOf(ctx, id)) {
      const k = (h.extra?.hcPartyKeys as Record<string, unknown> | undefined)?.[id];
      if (Array.isArray(k) && typeof k[1] === 'string') out[h.id] = k[1];
    }
    return out;
  }

  /** `{delegatorId: {delegatorPubKey: {delegatePubKeyFp: key}}}` for `id` as delegate. */
  async aesExchangeKeysForDelegate(ctx: RequestContext, id: string): Promise<Record<string, Record<string, unknown>>> {
    await this.get(ctx, id);
    const out: Record<string, Record<string, unknown>> = {};
    for (const h of await this.hcps.delegatorsOf(ctx, id)) {
      const aes = h.extra?.aesExchangeKeys as Record<string, Record<string, unknown>> | undefined;
      if (!aes || typeof aes !== 'object') continue;
      for (const [pub, byDelegate] of Object.entries(aes)) {
        if (byDelegate && typeof byDelegate === 'object' && byDelegate[id] !== undefined) (out[h.id] ??= {})[pub] = byDelegate[id];
      }
    }
    return out;
  }

  /**
   * Creates an HCP, a user linked to it (login = first email of its addresses, else the HCP id)
   * and a login token (6 digits valid 10 minutes with useShortToken, else the given or a random
   * UUID valid 24 hours). `ctx` is the target group (after actInGroup).
   */
  register(
    ctx: RequestContext,
    doc: HcpDocument,
    opts: { parentHcPartyId?: string; token?: string; useShortToken?: boolean },
  ): Promise<{ userLogin: string; userId: string; token: string }> {
    return this.tx.run(ctx, (tctx) => this.registerIn(tctx, doc, opts));
  }

  private async registerIn(
    ctx: RequestContext,
    doc: HcpDocument,
    opts: { parentHcPartyId?: string; token?: string; useShortToken?: boolean },
  ): Promise<{ userLogin: string; userId: string; token: string }> {
    const hcp = await this.create(ctx, { ...doc, ...(opts.parentHcPartyId ? { parentId: opts.parentHcPartyId } : {}) });
    const emails = (
      Array.isArray(doc.addresses) ? (doc.addresses as { telecoms?: { telecomType?: string; telecomNumber?: string }[] }[]) : []
    )
      .flatMap((a) => a?.telecoms ?? [])
      .filter((t) => t?.telecomType === 'email' && typeof t.telecomNumber === 'string')
      .map((t) => t.telecomNumber!.trim().toLowerCase());
    const login = emails[0] ?? hcp.id;
    const user = await this.usersService.create(ctx, {
      login,
      email: emails[0] ?? null,
      name: [hcp.firstName, hcp.lastName].filter(Boolean).join(' ') || hcp.name,
      firstName: hcp.firstName,
      lastName: hcp.lastName,
      healthcarePartyId: hcp.id,
    });
    await this.hcps.updateWithRev(ctx, hcp.id, hcp.rev, { userId: user.id });
    await this.events.record(ctx, { action: 'hcp.updated', subjectType: 'hcp', subjectId: hcp.id, fields: ['userId'] });
    const short = opts.useShortToken === true;
    const chosen = opts.token ?? (short ? String(randomInt(100000, 1000000)) : undefined);
    const token = await this.appTokens.issue(ctx, user.id, 'registration', short ? 600 : 86400, chosen);
    return { userLogin: login, userId: user.id, token };
  }

  private assertDocument(ctx: RequestContext, doc: HcpDocument): void {
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new ValidationError([{ loc: [], type: 'model_attributes_type', msg: 'The body must be a HealthcareParty object' }]);
    if (doc.groupId !== undefined && doc.groupId !== null && doc.groupId !== ctx.groupId) {
      throw ValidationError.field(
        'groupId',
        'groupId must be the group the healthcare party is written to (use the inGroup routes for another group)',
        doc.groupId,
      );
    }
    const has = (k: string) => typeof doc[k] === 'string' && doc[k].trim() !== '';
    if (!['name', 'lastName', 'nihii', 'ssin'].some(has)) {
      throw new ValidationError([{ loc: [], type: 'missing', msg: 'A healthcare party needs one of name, lastName, nihii or ssin' }]);
    }
    for (const c of ['name', 'lastName', 'firstName', 'speciality'] as const) {
      if (doc[c] !== undefined && doc[c] !== null && (typeof doc[c] !== 'string' || doc[c].length > 255))
        throw ValidationError.field(c, `${c} must be a string of at most 255 characters`, doc[c]);
    }
    for (const c of ['nihii', 'ssin', 'cbe', 'ehp', 'nihiiSpecCode', 'parentId', 'userId'] as const) {
      if (doc[c] !== undefined && doc[c] !== null && (typeof doc[c] !== 'string' || doc[c].length > 64))
        throw ValidationError.field(c, `${c} must be a string of at most 64 characters`, doc[c]);
    }
  }

  /** Parent must exist in the group (400) and the chain may not come back to `id` (422). */
  private async assertParent(ctx: RequestContext, id: string, parentId: string | null): Promise<void> {
    if (!parentId) return;
    if (parentId === id) throw new UnprocessableError(`HealthcareParty ${id} cannot be its own parent`);
    let cursor: string | null = parentId;
    for (let depth = 0; cursor && depth < 64; depth++) {
      const p = await this.hcps.findOneInGroup(ctx, cursor);
      if (!p) {
        if (depth === 0) throw ValidationError.field('parentId', `Parent healthcare party ${parentId} does not exist`, parentId);
        return;
      }
      if (p.parentId === id)
        throw new UnprocessableError(`Setting parent ${parentId} on HealthcareParty ${id} would make the hierarchy circular`);
      cursor = p.parentId;
    }
    if (cursor) throw new UnprocessableError('The healthcare party hierarchy is too deep');
  }

  limitOf(limit: number | undefined): number {
    return pageLimit(limit, this.config.pagination);
  }

  static toDocument = toDocument;
}
