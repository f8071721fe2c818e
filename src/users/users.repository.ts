import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, QueryDeepPartialEntity } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';
import { nextRev } from '../common/ids';
import { COUNT_CAP } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { prefixRange, queryWords } from '../common/text-search';
import { fieldOfColumn, uniqueViolationColumns } from '../common/db-errors';
import { RowMapper, SqlParams } from '../database/row-mapper';
import {
  ArrayQuery,
  DocCursor,
  prefixSearchPage,
  PrefixPlan,
  replaceSearchKeys,
  SearchedTable,
  sqlMergePage,
  sqlWalkPage,
  userSearchKeys,
} from '../database/search-keys';
import { compileFilter, FilterDialect } from '../database/sql-filter';
import { TransactionRunner } from '../database/transaction-runner';
import { UserEntity } from './user.entity';
import { UserFilter } from './user-filters';

export interface TokenKey {
  key: string;
  creationTime: number;
  validity: number;
}

/** Fields whose change rewrites the user's search keys. */
const SEARCHED: (keyof UserEntity)[] = ['login', 'email', 'mobilePhone', 'name', 'firstName', 'lastName'];
const LIVE = 'u.deletion_date IS NULL';
/** The table text search pages (`prefixSearchPage`). */
const USERS: SearchedTable = { table: 'users', alias: 'u', live: LIVE };
const NOT_PATIENT_ONLY = 'NOT (u.patient_id IS NOT NULL AND u.healthcare_party_id IS NULL)';

/**
 * The only place with user queries. Every method is scoped by `ctx.groupId`, except the one
 * credential lookup that authentication needs across groups (named so). Reads are hand-written
 * SQL, each served by an index (the plan tests read their plans); `sql*` methods expose the exact
 * statements for those tests.
 */
@Injectable()
export class UsersRepository {
  private readonly rows: RowMapper<UserEntity>;
  private readonly cols: string;
  private readonly byIdSql: string;
  private readonly withTokenKeysSql: string;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.rows = new RowMapper(ds, UserEntity);
    this.cols = this.rows.selectPacked('u');
    const q = this.rows.params();
    this.byIdSql = `SELECT ${this.cols} FROM users u WHERE u.group_id = ${q.p(0)} AND u.id = ${q.p(0)} AND ${LIVE}`;
    const q2 = this.rows.params();
    this.withTokenKeysSql = this.sqlWithTokenKeys(q2.p(0), q2.p(0));
  }

  /**
   * The live user of group `group` whose id is `id` (placeholders, or `id` a subquery), one row per
   * app token: the user's packed columns, then the token's key, creation time and validity (nulls
   * without tokens). The placeholders must be taken in text order: `group`'s before `id`'s.
   */
  private sqlWithTokenKeys(group: string, id: string): string {
    return (
      `SELECT ${this.rows.selectPacked('u', ['t.key', 't.creation_time', 't.validity'])} FROM users u ` +
      `LEFT JOIN authentication_tokens t ON t.group_id = u.group_id AND t.user_id = u.id AND t.deletion_date IS NULL ` +
      `WHERE u.group_id = ${group} AND u.id = ${id} AND ${LIVE}`
    );
  }

  private m(ctx: RequestContext): EntityManager {
    return this.tx.manager(ctx);
  }

  /** Users of a statement whose select list is `this.cols` (one packed row each). */
  private async select(ctx: RequestContext, sql: string, params: unknown[], o: { prepared?: boolean } = {}): Promise<UserEntity[]> {
    return (await this.tx.queryArrays(ctx, sql, params, { ...o, packed: true })).map(this.rows.mapArray);
  }

  async findOneInGroup(ctx: RequestContext, id: string): Promise<UserEntity | null> {
    return (await this.select(ctx, this.byIdSql, [ctx.groupId, id]))[0] ?? null;
  }

  /**
   * The user and the keys of its app tokens (metadata only, never the hashes) in one statement:
   * the native read shows them, and a second round trip per read cost more than the join.
   */
  async findWithTokenKeys(ctx: RequestContext, id: string): Promise<{ user: UserEntity; tokens: TokenKey[] } | null> {
    const raw = await this.tx.queryArrays(ctx, this.withTokenKeysSql, [ctx.groupId, id], { prepared: true, packed: true });
    return this.withTokenKeysOf(raw);
  }

  /**
   * The live user with this email (any case; the first by id) and its app-token keys, in one
   * statement: `sqlByEmail`'s lookup as a subquery of the read `findWithTokenKeys` runs.
   */
  sqlByEmailWithTokenKeys(groupId: string, email: string): [string, unknown[]] {
    const q = this.rows.params();
    // Placeholders are taken in text order (SQLite binds `?` by position): the group's first.
    const group = q.p(groupId);
    const first =
      `SELECT e.id FROM users e WHERE e.email_key = ${q.p(email.toLowerCase())} AND e.group_id = ${q.p(groupId)} ` +
      `AND e.deletion_date IS NULL ORDER BY e.id LIMIT 1`;
    return [this.sqlWithTokenKeys(group, `(${first})`), q.values];
  }

  async findByEmailWithTokenKeys(ctx: RequestContext, email: string): Promise<{ user: UserEntity; tokens: TokenKey[] } | null> {
    const [sql, params] = this.sqlByEmailWithTokenKeys(ctx.groupId, email);
    // Prepared on PostgreSQL: equalities on unique indexes, one plan whatever the values.
    return this.withTokenKeysOf(await this.tx.queryArrays(ctx, sql, params, { prepared: true, packed: true }));
  }

  /** Rows of a user (packed) followed by one app token's key, creation time and validity (or nulls). */
  private withTokenKeysOf(raw: unknown[][]): { user: UserEntity; tokens: TokenKey[] } | null {
    if (!raw.length) return null;
    const w = this.rows.width; // t.key, t.creation_time, t.validity follow the user's columns
    const tokens = raw
      .filter((r) => r[w] !== null && r[w] !== undefined)
      .map((r) => ({ key: r[w] as string, creationTime: Number(r[w + 1]), validity: Number(r[w + 2]) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { user: this.rows.mapArray(raw[0]), tokens };
  }

  async getInGroup(ctx: RequestContext, id: string): Promise<UserEntity> {
    return NotFoundError.assert(await this.findOneInGroup(ctx, id), 'User', id);
  }

  /**
   * Inside a transaction, the user a read-merge-write starts from. PostgreSQL locks the row first
   * (concurrent merges of one user queue instead of losing races); on SQLite the write queue
   * already serializes them.
   */
  async getForMerge(ctx: RequestContext, id: string): Promise<UserEntity> {
    if (this.tx.dialect !== 'postgres') return this.getInGroup(ctx, id);
    // One statement: the row is locked and read (after a wait, its latest committed version).
    const [user] = await this.select(ctx, `${this.byIdSql} FOR UPDATE OF u`, [ctx.groupId, id]);
    return NotFoundError.assert(user ?? null, 'User', id);
  }

  sqlByEmail(groupId: string, email: string): [string, unknown[]] {
    const q = this.rows.params();
    return [
      `SELECT ${this.cols} FROM users u WHERE u.email_key = ${q.p(email.toLowerCase())} AND u.group_id = ${q.p(groupId)} AND ${LIVE} ORDER BY u.id LIMIT 1`,
      q.values,
    ];
  }

  async findByEmail(ctx: RequestContext, email: string): Promise<UserEntity | null> {
    const [sql, params] = this.sqlByEmail(ctx.groupId, email);
    return (await this.select(ctx, sql, params))[0] ?? null;
  }

  /**
   * Users whose id, login, email (any case) or mobile phone is `v`, in `groupId` or (null) in any
   * group: one indexed branch per identifier kind, concatenated; the caller orders the few rows.
   * With `withGroupPath`, each row is followed by its group's path, null when the group is deleted.
   * The path is a subquery by the group's primary key, not a join: across groups the user's group id
   * is not known in advance, and PostgreSQL merge-joined the user row with the whole groups index
   * (44 ms for a group late in id order among 100,000).
   */
  sqlByIdentifier(groupId: string | null, v: string, withGroupPath = false): [string, unknown[]] {
    const q = this.rows.params();
    const path = '(SELECT g.path FROM groups g WHERE g.id = u.group_id AND g.deletion_date IS NULL)';
    const list = withGroupPath ? this.rows.selectPacked('u', [path]) : this.cols;
    // Placeholders are taken in text order (SQLite binds `?` by position).
    const branch = (col: string, value: string) => {
      const cond = `${col} = ${q.p(value)}`;
      return `SELECT ${list} FROM users u WHERE ${cond}${groupId === null ? '' : ` AND u.group_id = ${q.p(groupId)}`} AND ${LIVE}`;
    };
    const sql = [branch('u.id', v), branch('u.login', v), branch('u.email_key', v.toLowerCase()), branch('u.mobile_phone', v)].join(
      ' UNION ALL ',
    );
    return [`${sql} LIMIT 200`, q.values];
  }

  /** The matching users (each with its packed row), best match first: id, login, email, phone. */
  private async byIdentifier(
    ctx: RequestContext,
    groupId: string | null,
    v: string,
    withGroupPath = false,
  ): Promise<{ user: UserEntity; row: unknown[] }[]> {
    const [sql, params] = this.sqlByIdentifier(groupId, v, withGroupPath);
    const rank = (u: UserEntity) => (u.id === v ? 0 : u.login === v ? 1 : u.emailKey === v.toLowerCase() ? 2 : 3);
    const seen = new Set<string>();
    // Logins run it on every attempt: prepared on PostgreSQL (its four-branch plan never depends on the values).
    return (await this.tx.queryArrays(ctx, sql, params, { prepared: true, packed: true }))
      .map((row) => ({ user: this.rows.mapArray(row), row }))
      .filter(({ user: u }) => !seen.has(`${u.groupId}/${u.id}`) && !!seen.add(`${u.groupId}/${u.id}`))
      .sort(({ user: a }, { user: b }) => rank(a) - rank(b) || byGroupThenId(a, b));
  }

  /** id, then login, email, mobile phone (iCure "generic identifier"). */
  async findByIdentifier(ctx: RequestContext, identifier: string): Promise<UserEntity | null> {
    return (await this.byIdentifier(ctx, ctx.groupId, identifier))[0]?.user ?? null;
  }

  /**
   * Authentication only: users in any group whose login, email, phone or id equals `identifier`
   * (or `groupId/userId`). Not for use on tenant data paths.
   */
  findLoginCandidatesAcrossGroups(ctx: RequestContext, identifier: string): Promise<UserEntity[]> {
    // Refused at the call, not in the promise: a tenant path can never reach this query.
    ctx.assertCrossTenant();
    return this.loginCandidates(ctx, identifier, false).then((found) => found.map((c) => c.user));
  }

  /**
   * A login's candidates: as `findLoginCandidatesAcrossGroups`, in live groups only, each with its
   * group's path (the chosen user's group chain), in the same one statement.
   */
  findLoginCandidatesWithGroupPath(ctx: RequestContext, identifier: string): Promise<{ user: UserEntity; groupPath: string }[]> {
    ctx.assertCrossTenant();
    const w = this.rows.width;
    return this.loginCandidates(ctx, identifier, true).then((found) => found.map((c) => ({ user: c.user, groupPath: String(c.row[w]) })));
  }

  private async loginCandidates(ctx: RequestContext, identifier: string, withGroupPath: boolean) {
    const slash = identifier.indexOf('/');
    const found =
      slash > 0
        ? await this.byIdentifier(ctx, identifier.slice(0, slash), identifier.slice(slash + 1), withGroupPath)
        : await this.byIdentifier(ctx, null, identifier, withGroupPath);
    // With the group path: a user whose group is deleted (path null) is no candidate.
    const live = withGroupPath ? found.filter((c) => c.row[this.rows.width] !== null) : found;
    return live.sort((a, b) => byGroupThenId(a.user, b.user)).slice(0, 50);
  }

  /** Keyset page by (login, id): `login_key >= :k` opens the index range, the id check trims ties. */
  sqlListByLogin(groupId: string, o: { startKey?: string; startDocumentId?: string; limit: number; skipPatients: boolean }) {
    const q = this.rows.params();
    let where = `u.group_id = ${q.p(groupId)} AND ${LIVE}`;
    if (o.skipPatients) where += ` AND ${NOT_PATIENT_ONLY}`;
    if (o.startKey !== undefined) {
      where += ` AND u.login_key >= ${q.p(o.startKey)}`;
      if (o.startDocumentId !== undefined) where += ` AND (u.login_key > ${q.p(o.startKey)} OR u.id >= ${q.p(o.startDocumentId)})`;
    }
    return [`SELECT ${this.cols} FROM users u WHERE ${where} ORDER BY u.login_key, u.id LIMIT ${q.p(o.limit)}`, q.values] as [
      string,
      unknown[],
    ];
  }

  listByLogin(
    ctx: RequestContext,
    o: { startKey?: string; startDocumentId?: string; limit: number; skipPatients: boolean },
  ): Promise<UserEntity[]> {
    const [sql, params] = this.sqlListByLogin(ctx.groupId, o);
    return this.select(ctx, sql, params);
  }

  /** Live users of the group, counted up to COUNT_CAP (an exact count would read the whole group). */
  async countCapped(ctx: RequestContext, skipPatients = false): Promise<number> {
    const [sql, params] = this.sqlCountCapped(ctx.groupId, skipPatients);
    // Not prepared: the plan depends on the group's size (a generic plan estimates every group alike).
    const [row] = await this.tx.queryArrays(ctx, sql, params);
    return Number(row?.[0] ?? 0);
  }

  /** Served by the partial index of live users alone (idx_users_live_group): no table row is read. */
  sqlCountCapped(groupId: string, skipPatients: boolean): [string, unknown[]] {
    const q = this.rows.params();
    const extra = skipPatients ? ` AND ${NOT_PATIENT_ONLY}` : '';
    return [
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM users u WHERE u.group_id = ${q.p(groupId)} AND ${LIVE}${extra} LIMIT ${q.p(COUNT_CAP)}) c`,
      q.values,
    ];
  }

  /** Offset page ordered by creation then id (profiles with page numbers). */
  async pageByCreation(ctx: RequestContext, offset: number, limit: number): Promise<UserEntity[]> {
    const q = this.rows.params();
    const sql = `SELECT ${this.cols} FROM users u WHERE u.group_id = ${q.p(ctx.groupId)} AND ${LIVE} ORDER BY u.created, u.id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`;
    return this.select(ctx, sql, q.values);
  }

  private ids(ctx: RequestContext, cond: string, value: string): Promise<string[]> {
    const q = this.rows.params();
    const sql = `SELECT u.id FROM users u WHERE u.group_id = ${q.p(ctx.groupId)} AND ${cond} = ${q.p(value)} AND ${LIVE} ORDER BY u.id`;
    return this.m(ctx)
      .query(sql, q.values)
      .then((rows: { id: string }[]) => rows.map((r) => r.id));
  }

  idsByHealthcareParty(ctx: RequestContext, hcpId: string): Promise<string[]> {
    return this.ids(ctx, 'u.healthcare_party_id', hcpId);
  }

  idsByPatient(ctx: RequestContext, patientId: string): Promise<string[]> {
    return this.ids(ctx, 'u.patient_id', patientId);
  }

  private filterDialect(groupId: string): FilterDialect {
    return {
      list: (v) => v as unknown[],
      leaf: (raw, q) => {
        const f = raw as UserFilter;
        switch (f.$type) {
          case 'AllUsersFilter':
            return '1 = 1';
          case 'UserByIdsFilter':
            return f.ids.length ? `u.id IN (${q.list(f.ids)})` : '1 = 0';
          case 'UsersByPatientIdFilter':
            return `(u.patient_id IS NOT NULL AND u.patient_id = ${q.p(f.patientId)})`;
          case 'UserByNameEmailPhoneFilter': {
            const words = queryWords(f.searchString);
            if (!words.length) return '1 = 0';
            return words.map((w) => `u.id IN (${this.keyRange(q, groupId, w)})`).join(' AND ');
          }
          default:
            throw new Error(`unparsed user filter ${String(f.$type)}`);
        }
      },
    };
  }

  /** Ids of the group's users having a search key that starts with `prefix` (an index range). */
  private keyRange(q: SqlParams, groupId: string, prefix: string): string {
    const [lo, hi] = prefixRange(prefix);
    return `SELECT k.doc_id FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = 'user' AND k.key >= ${q.p(lo)} AND k.key < ${q.p(hi)}`;
  }

  /** Users matching `filter`, by id (descending with `desc`), from `from` inclusive, at most `limit`. */
  sqlFilter(groupId: string, filter: UserFilter, o: { from?: string; limit: number; idsOnly?: boolean }): [string, unknown[]] {
    const q = this.rows.params();
    let where = `u.group_id = ${q.p(groupId)} AND ${LIVE} AND ${compileFilter(filter, this.filterDialect(groupId), q)}`;
    if (o.from !== undefined) where += ` AND u.id ${filter.desc ? '<=' : '>='} ${q.p(o.from)}`;
    const dir = filter.desc ? 'DESC' : 'ASC';
    return [`SELECT ${o.idsOnly ? 'u.id' : this.cols} FROM users u WHERE ${where} ORDER BY u.id ${dir} LIMIT ${q.p(o.limit)}`, q.values];
  }

  /** A text search page merged from the driving word's keys (`sqlMergePage`: the statement `filterPage` runs). */
  sqlTextMerge(groupId: string, plan: PrefixPlan, c: DocCursor, o: { limit: number; idsOnly?: boolean }): [string, unknown[]] {
    const q = this.rows.params();
    return [sqlMergePage(q, this.rows.pg, USERS, o.idsOnly ? 'u.id' : this.cols, groupId, 'user', plan, c, o.limit), q.values];
  }

  /** A text search page for frequent words, by a walk in id order (`sqlWalkPage`, SQLite). */
  sqlTextWalk(groupId: string, words: string[], c: DocCursor, o: { limit: number; idsOnly?: boolean }): [string, unknown[]] {
    const q = this.rows.params();
    return [sqlWalkPage(q, USERS, o.idsOnly ? 'u.id' : this.cols, groupId, 'user', words, c, o.limit), q.values];
  }

  /** A top-level text search runs as `prefixSearchPage` says; null: the generic `sqlFilter` form serves it. */
  private async textSearch(
    ctx: RequestContext,
    filter: UserFilter,
    c: DocCursor,
    o: { limit: number; idsOnly?: boolean },
  ): Promise<unknown[][] | null> {
    if (filter.$type !== 'UserByNameEmailPhoneFilter') return null;
    const words = queryWords(filter.searchString);
    if (!words.length) return [];
    const read: ArrayQuery = (sql, params, o) => this.tx.queryArrays(ctx, sql, params, o);
    const sel = o.idsOnly ? { list: 'u.id', idAt: 0, packed: false } : { list: this.cols, idAt: this.rows.idAt, packed: true };
    return prefixSearchPage(read, this.rows.pg, USERS, sel, ctx.groupId, 'user', words, c, o.limit);
  }

  async filterPage(ctx: RequestContext, filter: UserFilter, o: { from?: string; limit: number }): Promise<UserEntity[]> {
    const text = await this.textSearch(ctx, filter, { from: o.from, desc: filter.desc }, o);
    if (text) return text.map(this.rows.mapArray);
    const [sql, params] = this.sqlFilter(ctx.groupId, filter, o);
    return this.select(ctx, sql, params);
  }

  async filterIds(ctx: RequestContext, filter: UserFilter, limit: number): Promise<string[]> {
    const text = await this.textSearch(ctx, filter, { desc: filter.desc }, { limit, idsOnly: true });
    if (text) return text.map((r) => String(r[0]));
    const [sql, params] = this.sqlFilter(ctx.groupId, filter, { limit, idsOnly: true });
    return (await this.m(ctx).query<{ id: string }[]>(sql, params)).map((r) => r.id);
  }

  /** Inserts; a collision on a unique (group, field) becomes a DUPLICATE conflict naming the fields. */
  async insert(ctx: RequestContext, user: UserEntity): Promise<UserEntity> {
    user.groupId = ctx.groupId;
    user.loginKey = user.login ?? '';
    user.emailKey = user.email ? user.email.toLowerCase() : null;
    await this.tx.run(ctx, async (t) => {
      try {
        await this.m(t)
          .getRepository(UserEntity)
          .insert(user as QueryDeepPartialEntity<UserEntity>);
      } catch (e) {
        throw translateUnique(e);
      }
      await this.writeSearchKeys(t, user);
    });
    return user;
  }

  private writeSearchKeys(ctx: RequestContext, u: UserEntity): Promise<void> {
    const keys = userSearchKeys({
      login: u.login,
      email: u.email,
      mobile_phone: u.mobilePhone,
      name: u.name,
      first_name: u.firstName,
      last_name: u.lastName,
    });
    return replaceSearchKeys(this.m(ctx), this.rows.pg, ctx.groupId, 'user', u.id, keys);
  }

  /**
   * Optimistic update: applies `patch` only if the stored rev is `rev`. Missing -> 404, stale -> 409.
   * Returns the new rev.
   */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, patch: Partial<UserEntity>): Promise<string> {
    const newRev = nextRev(rev);
    const set: Partial<UserEntity> = { ...patch, rev: newRev };
    if (patch.login !== undefined) set.loginKey = patch.login ?? '';
    if (patch.email !== undefined) set.emailKey = patch.email ? patch.email.toLowerCase() : null;
    const searched = SEARCHED.some((k) => patch[k] !== undefined);
    return this.tx.run(ctx, async (t) => {
      let affected: number | undefined;
      try {
        const res = await this.m(t)
          .createQueryBuilder()
          .update(UserEntity)
          .set(set as QueryDeepPartialEntity<UserEntity>)
          .where('group_id = :groupId AND id = :id AND rev = :rev AND deletion_date IS NULL', { groupId: t.groupId, id, rev })
          .execute();
        affected = res.affected;
      } catch (e) {
        throw translateUnique(e);
      }
      if (!affected) {
        await this.getInGroup(t, id);
        throw ConflictError.staleRevision('User', id);
      }
      if (searched) await this.writeSearchKeys(t, await this.getInGroup(t, id));
      return newRev;
    });
  }

  /** Unconditional update for system bookkeeping (login failures, rehash); does not change rev. */
  async updateBookkeeping(ctx: RequestContext, id: string, patch: QueryDeepPartialEntity<UserEntity>): Promise<void> {
    await this.tx.run(ctx, async (t) => {
      await this.m(t)
        .createQueryBuilder()
        .update(UserEntity)
        .set(patch)
        .where('group_id = :groupId AND id = :id', { groupId: t.groupId, id })
        .execute();
    });
  }

  /** Atomically counts a failed login and returns the new count. */
  async incrementFailures(ctx: RequestContext, id: string): Promise<number> {
    return this.tx.run(ctx, async (t) => {
      await this.m(t)
        .createQueryBuilder()
        .update(UserEntity)
        .set({ failedLoginCount: () => 'failed_login_count + 1' })
        .where('group_id = :groupId AND id = :id', { groupId: t.groupId, id })
        .execute();
      const row = await this.m(t)
        .getRepository(UserEntity)
        .findOne({ where: { groupId: t.groupId, id }, select: { id: true, failedLoginCount: true } });
      return row?.failedLoginCount ?? 0;
    });
  }

  /** Permanent removal of one user row (hard delete) and its search keys. */
  async deleteRow(ctx: RequestContext, id: string): Promise<void> {
    await this.tx.run(ctx, async (t) => {
      await this.m(t).getRepository(UserEntity).delete({ groupId: t.groupId, id });
      await replaceSearchKeys(this.m(t), this.rows.pg, t.groupId, 'user', id, []);
    });
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (!groupIds.length) return;
    await this.tx.run(ctx, (t) =>
      this.m(t)
        .getRepository(UserEntity)
        .delete({ groupId: In(groupIds) }),
    );
  }

  /**
   * Authentication's read, by primary keys in one statement: the live user, the path of its live
   * group, and (for a token refresh) the session the token names (null when there is none). Null when
   * the user or its group is missing or deleted. Liveness of the session is SessionsService's rule.
   */
  async findWithGroupPath(
    ctx: RequestContext,
    id: string,
    sessionId?: string,
  ): Promise<{ user: UserEntity; groupPath: string; session: AuthSessionRow | null } | null> {
    const withSession = sessionId !== undefined;
    const sql = this.sqlWithGroupPath(withSession);
    const raw = await this.tx.queryArrays(ctx, sql, withSession ? [sessionId, ctx.groupId, id] : [ctx.groupId, id], {
      prepared: true,
      packed: true,
    });
    if (!raw.length) return null;
    const r = raw[0];
    // g.path, then (with a session) s.id, s.user_id, s.expires_at, s.revoked_at follow the user's columns.
    const w = this.rows.width;
    const session =
      !withSession || r[w + 1] === null || r[w + 1] === undefined
        ? null
        : {
            id: r[w + 1] as string,
            userId: r[w + 2] as string,
            expiresAt: Number(r[w + 3]),
            revokedAt: r[w + 4] === null ? null : Number(r[w + 4]),
          };
    return { user: this.rows.mapArray(r), groupPath: String(r[w]), session };
  }

  /** The statements of findWithGroupPath, without and with the session (built once; the plan tests read them). */
  sqlWithGroupPath(withSession = false): string {
    const i = withSession ? 1 : 0;
    this.withGroupPathSql ??= [false, true].map((s) => {
      const q = this.rows.params();
      const extra = ['g.path', ...(s ? ['s.id', 's.user_id', 's.expires_at', 's.revoked_at'] : [])];
      const join = s ? ` LEFT JOIN sessions s ON s.id = ${q.p(0)} AND s.group_id = u.group_id` : '';
      return (
        `SELECT ${this.rows.selectPacked('u', extra)} FROM users u JOIN groups g ON g.id = u.group_id AND g.deletion_date IS NULL${join} ` +
        `WHERE u.group_id = ${q.p(0)} AND u.id = ${q.p(0)} AND ${LIVE}`
      );
    });
    return this.withGroupPathSql[i];
  }

  private withGroupPathSql?: string[];
}

/** The session columns a token refresh reads with its user (findWithGroupPath). */
export interface AuthSessionRow {
  id: string;
  userId: string;
  expiresAt: number;
  revokedAt: number | null;
}

export function translateUnique(e: unknown): unknown {
  const cols = uniqueViolationColumns(e);
  if (!cols) return e;
  const fields = cols.map(fieldOfColumn);
  return new ConflictError('DUPLICATE', `A user with this ${fields.join(', ')} already exists`, fields);
}

/** Group id, then user id (bytewise, as the database's C collation orders them). */
function byGroupThenId(a: UserEntity, b: UserEntity): number {
  return a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
