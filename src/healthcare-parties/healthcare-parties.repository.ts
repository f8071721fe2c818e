import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { COUNT_CAP } from '../common/pagination';
import { uniqueViolationColumns } from '../common/db-errors';
import { RequestContext } from '../common/request-context';
import { prefixRange, queryWords } from '../common/text-search';
import { RowMapper, SqlParams } from '../database/row-mapper';
import {
  ArrayQuery,
  DocCursor,
  hcpSearchKeys,
  prefixSearchPage,
  PrefixPlan,
  replaceSearchKeys,
  SearchedTable,
  SEP,
  sqlDocHasPrefix,
  sqlMergePage,
  sqlPrefixCount,
} from '../database/search-keys';
import { compileFilter, FilterDialect, FilterNode } from '../database/sql-filter';
import { TransactionRunner } from '../database/transaction-runner';
import { HealthcarePartyEntity } from './healthcare-party.entity';

const LIVE = 'h.deletion_date IS NULL';
/** The table name search pages (`prefixSearchPage`). */
const HCPS: SearchedTable = { table: 'healthcare_parties', alias: 'h', live: LIVE };
/** A name word with fewer entries than this drives a by-last-name page (its matches sorted); else the page walks the last-name index. */
const NAME_GATHER_MAX = 1000;
const KEYED: (keyof HealthcarePartyEntity)[] = [
  'name',
  'lastName',
  'firstName',
  'speciality',
  'nihii',
  'ssin',
  'cbe',
  'ehp',
  'nihiiSpecCode',
  'postalCodes',
  'extra',
];

/** A filter field as String() renders it, whatever JSON the client sent (so ['x'] still matches like 'x'). */
const fieldText = (v: unknown): string => String(v);

export interface HcpPageQuery {
  startKey?: string;
  startDocumentId?: string;
  limit: number;
  desc?: boolean;
}

/**
 * Every query is scoped by the context's group and served by an index: columns for ids, names and
 * parents, `search_keys` for name words, identifiers, tags, codes, postal codes and delegates.
 * `sql*` methods expose the exact statements for the plan tests.
 */
@Injectable()
export class HealthcarePartiesRepository {
  private readonly rows: RowMapper<HealthcarePartyEntity>;
  private readonly cols: string;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.rows = new RowMapper(ds, HealthcarePartyEntity);
    this.cols = this.rows.selectPacked('h');
  }

  private m(ctx: RequestContext): EntityManager {
    return this.tx.manager(ctx);
  }

  private repo(ctx: RequestContext) {
    return this.m(ctx).getRepository(HealthcarePartyEntity);
  }

  /** HCPs of a statement whose select list is `this.cols` (one packed row each). */
  private async select(ctx: RequestContext, [sql, params]: [string, unknown[]]): Promise<HealthcarePartyEntity[]> {
    return (await this.tx.queryArrays(ctx, sql, params, { packed: true })).map(this.rows.mapArray);
  }

  /** Ids of the group's HCPs having a `kind` key in [lo, hi) (or equal to `lo` when hi is null). */
  private keys(q: SqlParams, groupId: string, kind: string, lo: string, hi: string | null, hiInclusive = false): string {
    // Placeholders are taken in text order (SQLite binds `?` by position).
    const head = `h.id IN (SELECT k.doc_id FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = ${q.p(kind)}`;
    const range = hi === null ? `k.key = ${q.p(lo)}` : `k.key >= ${q.p(lo)} AND k.key ${hiInclusive ? '<=' : '<'} ${q.p(hi)}`;
    return `${head} AND ${range})`;
  }

  private nameWords(q: SqlParams, groupId: string, name: string): string {
    const words = queryWords(name);
    return words.length ? words.map((w) => this.keys(q, groupId, 'hcp', ...prefixRange(w))).join(' AND ') : '1 = 1';
  }

  findOneInGroup(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id, deletionDate: IsNull() } });
  }

  /** Including soft-deleted rows (id uniqueness). */
  findAnyInGroup(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity | null> {
    return this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id } });
  }

  async findManyInGroup(ctx: RequestContext, ids: string[]): Promise<HealthcarePartyEntity[]> {
    if (!ids.length) return [];
    const q = this.rows.params();
    return this.select(ctx, [
      `SELECT ${this.cols} FROM healthcare_parties h WHERE h.group_id = ${q.p(ctx.groupId)} AND h.id IN (${q.list(ids)}) AND ${LIVE}`,
      q.values,
    ]);
  }

  /** Live HCPs of the group, counted up to COUNT_CAP. */
  async countCapped(ctx: RequestContext): Promise<number> {
    const [sql, params] = this.sqlCountCapped(ctx.groupId);
    // Not prepared: the plan depends on the group's size (a generic plan estimates every group alike).
    const [row] = await this.tx.queryArrays(ctx, sql, params);
    return Number(row?.[0] ?? 0);
  }

  sqlCountCapped(groupId: string): [string, unknown[]] {
    const q = this.rows.params();
    return [
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM healthcare_parties h WHERE h.group_id = ${q.p(groupId)} AND ${LIVE} LIMIT ${q.p(COUNT_CAP)}) c`,
      q.values,
    ];
  }

  sqlChildren(groupId: string, parentId: string): [string, unknown[]] {
    const q = this.rows.params();
    return [
      `SELECT ${this.cols} FROM healthcare_parties h WHERE h.group_id = ${q.p(groupId)} AND h.parent_id = ${q.p(parentId)} AND ${LIVE} ORDER BY h.id`,
      q.values,
    ];
  }

  children(ctx: RequestContext, parentId: string): Promise<HealthcarePartyEntity[]> {
    return this.select(ctx, this.sqlChildren(ctx.groupId, parentId));
  }

  byName(ctx: RequestContext, name: string): Promise<HealthcarePartyEntity[]> {
    const q = this.rows.params();
    return this.select(ctx, [
      `SELECT ${this.cols} FROM healthcare_parties h WHERE h.group_id = ${q.p(ctx.groupId)} AND h.name = ${q.p(name)} AND ${LIVE} ORDER BY h.id`,
      q.values,
    ]);
  }

  /**
   * Keyset page by (last name, id), optionally only HCPs whose name words start with each word of
   * `name`, in one of two ways (`byLastName` chooses by counting each word's entries, capped):
   * - `gather` (the default: the first word): the matches of one word drive the query (CROSS JOIN
   *   keeps that join order on SQLite) and only they are sorted: fewer than NAME_GATHER_MAX rows;
   * - `walk`: the (group, last name, id) index in order from the start key, each HCP probed for every
   *   word by the (group, kind, doc, key) index: page / (share of matching HCPs) probes, for words
   *   with NAME_GATHER_MAX entries or more.
   * Without a name the (group, last name, id) index is the order.
   */
  sqlByLastName(groupId: string, o: HcpPageQuery & { name?: string }, how: { gather?: string } | 'walk' = {}): [string, unknown[]] {
    const q = this.rows.params();
    const words = o.name ? queryWords(o.name) : [];
    const driver = how === 'walk' || !words.length ? null : (how.gather ?? words[0]);
    let from = 'healthcare_parties h';
    if (driver !== null) {
      const [lo, hi] = prefixRange(driver);
      from = `(SELECT DISTINCT k.doc_id FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = 'hcp' AND k.key >= ${q.p(lo)} AND k.key < ${q.p(hi)}) m CROSS JOIN healthcare_parties h`;
    }
    let where = `h.group_id = ${q.p(groupId)} AND ${LIVE}`;
    if (driver !== null) where += ' AND h.id = m.doc_id';
    // Gathering, the other words are probed on the match itself, before its row is read.
    for (const w of words)
      if (w !== driver) where += ` AND ${sqlDocHasPrefix(q, groupId, 'hcp', w, driver === null ? 'h.id' : 'm.doc_id')}`;
    const cmp = o.desc ? '<' : '>';
    if (o.startKey !== undefined) {
      where += ` AND h.last_name_key ${cmp}= ${q.p(o.startKey)}`;
      if (o.startDocumentId) where += ` AND (h.last_name_key ${cmp} ${q.p(o.startKey)} OR h.id ${cmp}= ${q.p(o.startDocumentId)})`;
    }
    const dir = o.desc ? 'DESC' : 'ASC';
    return [`SELECT ${this.cols} FROM ${from} WHERE ${where} ORDER BY h.last_name_key ${dir}, h.id ${dir} LIMIT ${q.p(o.limit)}`, q.values];
  }

  async byLastName(ctx: RequestContext, o: HcpPageQuery & { name?: string }): Promise<HealthcarePartyEntity[]> {
    const words = o.name ? queryWords(o.name) : [];
    let how: { gather?: string } | 'walk' = {};
    if (words.length) {
      let rarest: { word: string; n: number } | null = null;
      for (const word of words) {
        const q = this.rows.params();
        const [row] = await this.m(ctx).query<{ n: number | string }[]>(
          sqlPrefixCount(q, ctx.groupId, 'hcp', word, NAME_GATHER_MAX),
          q.values,
        );
        const n = Number(row?.n ?? 0);
        if (!n) return [];
        if (!rarest || n < rarest.n) rarest = { word, n };
      }
      how = rarest && rarest.n < NAME_GATHER_MAX ? { gather: rarest.word } : 'walk';
    }
    return this.select(ctx, this.sqlByLastName(ctx.groupId, o, how));
  }

  /** Prefix over ssin, nihii, cbe and ehp, by id from `start` (inclusive). */
  byNihiiOrSsin(
    ctx: RequestContext,
    value: string,
    o: { start?: string; limit: number; desc?: boolean },
  ): Promise<HealthcarePartyEntity[]> {
    const q = this.rows.params();
    let where = `h.group_id = ${q.p(ctx.groupId)} AND ${LIVE}`;
    where += value ? ` AND ${this.keys(q, ctx.groupId, 'hcp-id', ...prefixRange(value))}` : ' AND 1 = 0';
    if (o.start) where += ` AND h.id ${o.desc ? '<=' : '>='} ${q.p(o.start)}`;
    return this.select(ctx, [
      `SELECT ${this.cols} FROM healthcare_parties h WHERE ${where} ORDER BY h.id ${o.desc ? 'DESC' : 'ASC'} LIMIT ${q.p(o.limit)}`,
      q.values,
    ]);
  }

  /** Speciality `type`, nihiiSpecCode `spec`, a postal code in [first, last]; by id from `start`. */
  bySpecialityAndPostCode(
    ctx: RequestContext,
    k: { type: string; spec: string; first: string; last: string },
    o: { start?: string; limit: number },
  ): Promise<HealthcarePartyEntity[]> {
    const q = this.rows.params();
    const base = `${k.type}${SEP}${k.spec}${SEP}`;
    let where = `h.group_id = ${q.p(ctx.groupId)} AND ${LIVE} AND ${this.keys(q, ctx.groupId, 'hcp-spc', base + k.first, base + k.last, true)}`;
    if (o.start) where += ` AND h.id >= ${q.p(o.start)}`;
    return this.select(ctx, [`SELECT ${this.cols} FROM healthcare_parties h WHERE ${where} ORDER BY h.id LIMIT ${q.p(o.limit)}`, q.values]);
  }

  /** HCPs holding keys for delegate `id` (hcPartyKeys or aesExchangeKeys). */
  delegatorsOf(ctx: RequestContext, id: string): Promise<HealthcarePartyEntity[]> {
    const q = this.rows.params();
    return this.select(ctx, [
      `SELECT ${this.cols} FROM healthcare_parties h WHERE h.group_id = ${q.p(ctx.groupId)} AND ${LIVE} AND ${this.keys(q, ctx.groupId, 'hcp-deleg', id, null)} ORDER BY h.id`,
      q.values,
    ]);
  }

  private filterDialect(groupId: string): FilterDialect {
    const list = (v: unknown, field: string): unknown[] => {
      if (!Array.isArray(v)) throw ValidationError.field(field, `${field} must be an array`);
      return v;
    };
    const codeKey = (type: unknown, code: unknown): [string, string | null] | null => {
      if (type === undefined || type === null) return null;
      const t = `${fieldText(type)}${SEP}`;
      return code === undefined || code === null ? prefixRange(t) : [`${t}${fieldText(code)}`, null];
    };
    return {
      list,
      leaf: (f, q) => {
        switch (f.$type) {
          case undefined:
          case null:
            throw new BadRequestError('Missing discriminator $type');
          case 'AllHealthcarePartiesFilter':
            return '1 = 1';
          case 'HealthcarePartyByIdsFilter': {
            const ids = list(f.ids, 'ids');
            return ids.length ? `h.id IN (${q.list(ids.map(String))})` : '1 = 0';
          }
          case 'HealthcarePartyByNameFilter':
            return this.nameWords(q, groupId, fieldText(f.name ?? ''));
          case 'HealthcarePartyByTagCodeFilter': {
            const parts = [codeKey(f.tagType, f.tagCode), codeKey(f.codeType, f.codeCode)]
              .map((r, i) => (r ? this.keys(q, groupId, i === 0 ? 'hcp-tag' : 'hcp-code', r[0], r[1]) : null))
              .filter((s): s is string => !!s);
            return parts.length ? `(${parts.join(' AND ')})` : '1 = 1';
          }
          case 'HealthcarePartyByIdentifiersFilter': {
            const wanted = list(f.identifiers, 'identifiers') as { system?: unknown; value?: unknown }[];
            const keys = wanted
              .filter((w) => typeof w?.system === 'string' && typeof w?.value === 'string')
              .map((w) => this.keys(q, groupId, 'hcp-ident', `${w.system as string}${SEP}${w.value as string}`, null));
            return keys.length ? `(${keys.join(' OR ')})` : '1 = 0';
          }
          default:
            throw new BadRequestError(`Invalid subclass ${String(f.$type)} for a HealthcareParty filter`);
        }
      },
    };
  }

  sqlFilter(groupId: string, filter: unknown, o: { from?: string; limit: number; idsOnly?: boolean }): [string, unknown[]] {
    const q = this.rows.params();
    let where = `h.group_id = ${q.p(groupId)} AND ${LIVE} AND ${compileFilter(filter as FilterNode, this.filterDialect(groupId), q)}`;
    if (o.from !== undefined) where += ` AND h.id >= ${q.p(o.from)}`;
    return [
      `SELECT ${o.idsOnly ? 'h.id' : this.cols} FROM healthcare_parties h WHERE ${where} ORDER BY h.id LIMIT ${q.p(o.limit)}`,
      q.values,
    ];
  }

  /** A page merged from a name word's keys (`sqlMergePage`: the statement a top-level name filter runs). */
  sqlNameMerge(groupId: string, plan: PrefixPlan, c: DocCursor, o: { limit: number; idsOnly?: boolean }): [string, unknown[]] {
    const q = this.rows.params();
    return [sqlMergePage(q, this.rows.pg, HCPS, o.idsOnly ? 'h.id' : this.cols, groupId, 'hcp', plan, c, o.limit), q.values];
  }

  /** A top-level `HealthcarePartyByNameFilter` runs as `prefixSearchPage` says; null: the generic `sqlFilter` form serves it. */
  private async nameSearch(
    ctx: RequestContext,
    filter: unknown,
    c: DocCursor,
    o: { limit: number; idsOnly?: boolean },
  ): Promise<unknown[][] | null> {
    const f = filter as FilterNode | null;
    if (!f || typeof f !== 'object' || f.$type !== 'HealthcarePartyByNameFilter') return null;
    const words = queryWords(fieldText(f.name ?? ''));
    if (!words.length) return null;
    const read: ArrayQuery = (sql, params, o) => this.tx.queryArrays(ctx, sql, params, o);
    const sel = o.idsOnly ? { list: 'h.id', idAt: 0, packed: false } : { list: this.cols, idAt: this.rows.idAt, packed: true };
    return prefixSearchPage(read, this.rows.pg, HCPS, sel, ctx.groupId, 'hcp', words, c, o.limit);
  }

  async filterPage(ctx: RequestContext, filter: unknown, o: { from?: string; limit: number }): Promise<HealthcarePartyEntity[]> {
    const named = await this.nameSearch(ctx, filter, { from: o.from }, o);
    if (named) return named.map(this.rows.mapArray);
    return this.select(ctx, this.sqlFilter(ctx.groupId, filter, o));
  }

  async filterIds(ctx: RequestContext, filter: unknown, limit: number): Promise<string[]> {
    const named = await this.nameSearch(ctx, filter, {}, { limit, idsOnly: true });
    if (named) return named.map((r) => String(r[0]));
    const [sql, params] = this.sqlFilter(ctx.groupId, filter, { limit, idsOnly: true });
    return (await this.m(ctx).query<{ id: string }[]>(sql, params)).map((r) => r.id);
  }

  async insert(ctx: RequestContext, hcp: HealthcarePartyEntity): Promise<HealthcarePartyEntity> {
    hcp.groupId = ctx.groupId;
    hcp.lastNameKey = hcp.lastName ?? '';
    await this.tx.run(ctx, async (t) => {
      try {
        await this.repo(t).insert(hcp as QueryDeepPartialEntity<HealthcarePartyEntity>);
      } catch (e) {
        if (uniqueViolationColumns(e)) throw new ConflictError('DUPLICATE', `HealthcareParty ${hcp.id} already exists`, ['id']);
        throw e;
      }
      await this.writeKeys(t, hcp);
    });
    return hcp;
  }

  private writeKeys(ctx: RequestContext, h: HealthcarePartyEntity): Promise<void> {
    const keys = hcpSearchKeys({
      name: h.name,
      last_name: h.lastName,
      first_name: h.firstName,
      speciality: h.speciality,
      nihii: h.nihii,
      ssin: h.ssin,
      cbe: h.cbe,
      ehp: h.ehp,
      nihii_spec_code: h.nihiiSpecCode,
      extra: h.extra,
      postal_codes: h.postalCodes,
    });
    return replaceSearchKeys(this.m(ctx), this.rows.pg, ctx.groupId, 'hcp', h.id, keys);
  }

  /** Optimistic update in the context's group: missing -> 404, stale -> 409. */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, patch: Partial<HealthcarePartyEntity>): Promise<void> {
    const { id: _id, groupId: _g, ...rest } = patch;
    if (rest.lastName !== undefined) rest.lastNameKey = rest.lastName ?? '';
    await this.tx.run(ctx, async (t) => {
      const res = await this.m(t)
        .createQueryBuilder()
        .update(HealthcarePartyEntity)
        .set(rest as QueryDeepPartialEntity<HealthcarePartyEntity>)
        .where('id = :id AND group_id = :groupId AND rev = :rev AND deletion_date IS NULL', { id, groupId: t.groupId, rev })
        .execute();
      if (!res.affected) {
        if (!(await this.findOneInGroup(t, id))) throw new NotFoundError('HealthcareParty', id);
        throw ConflictError.staleRevision('HealthcareParty', id);
      }
      if (KEYED.some((k) => patch[k] !== undefined)) {
        const stored = await this.findAnyInGroup(t, id);
        if (stored) await this.writeKeys(t, stored);
      }
    });
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
