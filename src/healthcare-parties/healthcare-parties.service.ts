import { DomainEventsService } from '../audit/domain-events.service';
import { changedFields, createdFields } from '../audit/domain-event';
import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { Clock } from '../common/clock';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '../common/errors';
import { newId, nextRev } from '../common/ids';
import { KeysetPage, toKeysetPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { fold, HcpDocument, toColumns, toDocument } from './hcp-document';
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
    return this.hcps.scoped(ctx).andWhere('h.parent_id = :parentId', { parentId }).orderBy('h.id').getMany();
  }

  /** Ordered by last name then id (startKey = last name); `name` (optional) = folded prefix of every word on name parts. */
  async listByLastName(ctx: RequestContext, q: PageQuery & { name?: string }): Promise<KeysetPage<HealthcarePartyEntity>> {
    const limit = this.limitOf(q.limit);
    const dir = q.desc ? 'DESC' : 'ASC';
    const key = "COALESCE(h.last_name, '')";
    const qb = this.hcps.scoped(ctx);
    for (const [i, w] of (q.name ? fold(q.name).split(' ').filter(Boolean) : []).entries())
      qb.andWhere(`h.search_terms LIKE :w${i}`, { [`w${i}`]: `% ${w}%` });
    if (q.startKey !== undefined) {
      const cmp = q.desc ? '<' : '>';
      if (q.startDocumentId)
        qb.andWhere(`(${key} ${cmp} :sk OR (${key} = :sk AND h.id ${cmp}= :sid))`, { sk: q.startKey, sid: q.startDocumentId });
      else qb.andWhere(`${key} ${cmp}= :sk`, { sk: q.startKey });
    }
    const rows = await qb
      .orderBy(key, dir)
      .addOrderBy('h.id', dir)
      .limit(limit + 1)
      .getMany();
    return toKeysetPage(rows, limit, await this.hcps.count(ctx), (h) => h.lastName ?? '');
  }

  /** Exact `name` (organisation name) match. */
  byNameStrict(ctx: RequestContext, name: string): Promise<HealthcarePartyEntity[]> {
    return this.hcps.scoped(ctx).andWhere('h.name = :name', { name }).orderBy('h.id').getMany();
  }

  /** Prefix over ssin, nihii, cbe and ehp, ordered by id (startKey/startDocumentId = id). */
  async byNihiiOrSsin(ctx: RequestContext, value: string, q: PageQuery): Promise<KeysetPage<HealthcarePartyEntity>> {
    const limit = this.limitOf(q.limit);
    const v = `${value.replace(/[%_\\]/g, '')}%`;
    const qb = this.hcps.scoped(ctx).andWhere('(h.ssin LIKE :v OR h.nihii LIKE :v OR h.cbe LIKE :v OR h.ehp LIKE :v)', { v });
    const start = q.startDocumentId ?? q.startKey;
    if (start) qb.andWhere(q.desc ? 'h.id <= :s' : 'h.id >= :s', { s: start });
    const rows = await qb
      .orderBy('h.id', q.desc ? 'DESC' : 'ASC')
      .limit(limit + 1)
      .getMany();
    return toKeysetPage(rows, limit, await this.hcps.count(ctx), (h) => h.id);
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
    const rows = await this.hcps
      .scoped(ctx)
      .andWhere('h.speciality = :type AND h.nihii_spec_code = :spec', { type, spec })
      .orderBy('h.id')
      .getMany();
    const inRange = rows.filter((h) => (h.postalCodes ?? '').split(' ').some((c) => c && c >= first && c <= last));
    const start = q.startDocumentId ? inRange.findIndex((h) => h.id >= q.startDocumentId!) : 0;
    return toKeysetPage(start < 0 ? [] : inRange.slice(start, start + limit + 1), limit, inRange.length, (h) => [
      type,
      spec,
      (h.postalCodes ?? '').trim().split(' ')[0],
    ]);
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
    let ids = await this.match(ctx, c.filter);
    if (q.startDocumentId) {
      const at = ids.indexOf(q.startDocumentId);
      ids = at >= 0 ? ids.slice(at) : ids.filter((id) => id > q.startDocumentId!);
    }
    const rows = await this.getMany(ctx, ids.slice(0, limit + 1));
    return toKeysetPage(rows, limit, ids.length, (h) => h.id);
  }

  /** Ids (sorted) matching an HCP filter; unknown `$type` -> 400. */
  async match(ctx: RequestContext, filter: unknown): Promise<string[]> {
    const all = await this.hcps.scoped(ctx).orderBy('h.id').getMany();
    return [...this.resolve(filter, all, 0)].sort();
  }

  private resolve(raw: unknown, all: HealthcarePartyEntity[], depth: number): Set<string> {
    if (depth > 20) throw new BadRequestError('Filter nesting is too deep');
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequestError('Missing discriminator $type');
    const f = raw as Filter;
    const ids = (pred: (h: HealthcarePartyEntity) => boolean) => new Set(all.filter(pred).map((h) => h.id));
    const list = (v: unknown, field: string): unknown[] => {
      if (!Array.isArray(v)) throw ValidationError.field(field, `${field} must be an array`);
      return v;
    };
    switch (f.$type) {
      case undefined:
      case null:
        throw new BadRequestError('Missing discriminator $type');
      case 'AllHealthcarePartiesFilter':
        return ids(() => true);
      case 'HealthcarePartyByIdsFilter': {
        const wanted = new Set(list(f.ids, 'ids'));
        return ids((h) => wanted.has(h.id));
      }
      case 'HealthcarePartyByNameFilter': {
        const words = fold(String(f.name ?? ''))
          .split(' ')
          .filter(Boolean);
        return ids((h) => words.every((w) => (h.searchTerms ?? '').includes(` ${w}`)));
      }
      case 'HealthcarePartyByTagCodeFilter': {
        const has = (arr: unknown, type: unknown, code: unknown) =>
          type === undefined ||
          type === null ||
          (Array.isArray(arr) &&
            arr.some(
              (c: { type?: unknown; code?: unknown }) => c?.type === type && (code === undefined || code === null || c?.code === code),
            ));
        return ids((h) => has(h.extra?.tags, f.tagType, f.tagCode) && has(h.extra?.codes, f.codeType, f.codeCode));
      }
      case 'HealthcarePartyByIdentifiersFilter': {
        const wanted = list(f.identifiers, 'identifiers') as { system?: unknown; value?: unknown }[];
        return ids(
          (h) =>
            Array.isArray(h.extra?.identifier) &&
            (h.extra!.identifier as { system?: unknown; value?: unknown }[]).some((i) =>
              wanted.some((w) => w?.system === i?.system && w?.value === i?.value),
            ),
        );
      }
      case 'UnionFilter': {
        const out = new Set<string>();
        for (const sub of list(f.filters, 'filters')) for (const id of this.resolve(sub, all, depth + 1)) out.add(id);
        return out;
      }
      case 'IntersectionFilter': {
        const sets = list(f.filters, 'filters').map((sub) => this.resolve(sub, all, depth + 1));
        if (!sets.length) return new Set();
        return new Set([...sets[0]].filter((id) => sets.every((s) => s.has(id))));
      }
      case 'ComplementFilter': {
        const sup = f.superSet ? this.resolve(f.superSet, all, depth + 1) : ids(() => true);
        const sub = this.resolve(f.subSet, all, depth + 1);
        return new Set([...sup].filter((id) => !sub.has(id)));
      }
      default:
        throw new BadRequestError(`Invalid subclass ${String(f.$type)} for a HealthcareParty filter`);
    }
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
    const found = await this.getMany(ctx, ids);
    if (!found.length) throw new NotFoundError('HealthcareParty', ids.join(','));
    const out: { id: string; rev: string }[] = [];
    for (const h of found) {
      const rev = nextRev(h.rev);
      const now = this.clock.now();
      await this.hcps.updateWithRev(ctx, h.id, h.rev, { rev, deletionDate: now, modified: now });
      await this.events.record(ctx, { action: 'hcp.deleted', subjectType: 'hcp', subjectId: h.id, fields: ['deletionDate'] });
      out.push({ id: h.id, rev });
    }
    return out;
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
    for (const h of await this.hcps.scoped(ctx).getMany()) {
      const k = (h.extra?.hcPartyKeys as Record<string, unknown> | undefined)?.[id];
      if (Array.isArray(k) && typeof k[1] === 'string') out[h.id] = k[1];
    }
    return out;
  }

  /** `{delegatorId: {delegatorPubKey: {delegatePubKeyFp: key}}}` for `id` as delegate. */
  async aesExchangeKeysForDelegate(ctx: RequestContext, id: string): Promise<Record<string, Record<string, unknown>>> {
    await this.get(ctx, id);
    const out: Record<string, Record<string, unknown>> = {};
    for (const h of await this.hcps.scoped(ctx).getMany()) {
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
      throw new ValidationError([{ loc: ['body'], type: 'model_attributes_type', msg: 'The body must be a HealthcareParty object' }]);
    if (doc.groupId !== undefined && doc.groupId !== null && doc.groupId !== ctx.groupId) {
      throw ValidationError.field(
        'groupId',
        'groupId must be the group the healthcare party is written to (use the inGroup routes for another group)',
        doc.groupId,
      );
    }
    const has = (k: string) => typeof doc[k] === 'string' && (doc[k] as string).trim() !== '';
    if (!['name', 'lastName', 'nihii', 'ssin'].some(has)) {
      throw new ValidationError([{ loc: ['body'], type: 'missing', msg: 'A healthcare party needs one of name, lastName, nihii or ssin' }]);
    }
    for (const c of ['name', 'lastName', 'firstName', 'speciality'] as const) {
      if (doc[c] !== undefined && doc[c] !== null && (typeof doc[c] !== 'string' || (doc[c] as string).length > 255))
        throw ValidationError.field(c, `${c} must be a string of at most 255 characters`, doc[c]);
    }
    for (const c of ['nihii', 'ssin', 'cbe', 'ehp', 'nihiiSpecCode', 'parentId', 'userId'] as const) {
      if (doc[c] !== undefined && doc[c] !== null && (typeof doc[c] !== 'string' || (doc[c] as string).length > 64))
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
    const { defaultLimit, maxLimit } = this.config.pagination;
    if (limit === undefined || !Number.isFinite(limit)) return defaultLimit;
    if (!Number.isInteger(limit) || limit < 1)
      throw new ValidationError([
        { loc: ['query', 'limit'], type: 'greater_than_equal', msg: 'limit must be a positive integer', input: limit },
      ]);
    return Math.min(limit, maxLimit);
  }

  static toDocument = toDocument;
}
