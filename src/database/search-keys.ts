import { EntityManager } from 'typeorm';
import { prefixRange, tokensOf } from '../common/text-search';
import { SqlParams } from './row-mapper';

/**
 * Derivation of the `search_keys` rows of users and healthcare parties, from plain rows (the
 * migration that backfills existing rows uses it too, so it takes column-named objects).
 * A key longer than the column is dropped: it could only ever match by prefix, wrongly.
 */
export const SEP = '\u001f';
const MAX_KEY = 255;

export type KeyRow = { kind: string; key: string };

export interface UserKeySource {
  login: string | null;
  email: string | null;
  mobile_phone: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
}

export function userSearchKeys(u: UserKeySource): KeyRow[] {
  const phone = u.mobile_phone ? u.mobile_phone.replace(/\D+/g, '') : null;
  return tokensOf([u.name, u.first_name, u.last_name, u.login, u.email, phone]).map((key) => ({ kind: 'user', key }));
}

export interface HcpKeySource {
  name: string | null;
  last_name: string | null;
  first_name: string | null;
  speciality: string | null;
  nihii: string | null;
  ssin: string | null;
  cbe: string | null;
  ehp: string | null;
  nihii_spec_code: string | null;
  extra: Record<string, unknown> | null;
  postal_codes: string | null;
}

function codes(list: unknown, a: string, b: string): string[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && typeof (c as Record<string, unknown>)[a] === 'string')
    .map((c) => `${c[a] as string}${SEP}${typeof c[b] === 'string' ? c[b] : ''}`);
}

export function hcpSearchKeys(h: HcpKeySource): KeyRow[] {
  const out: KeyRow[] = [];
  const add = (kind: string, keys: (string | null | undefined)[]) => {
    for (const key of new Set(keys)) if (key && key.length <= MAX_KEY) out.push({ kind, key });
  };
  add('hcp', tokensOf([h.last_name, h.first_name, h.name, h.speciality]));
  add('hcp-id', [h.ssin, h.nihii, h.cbe, h.ehp]);
  const extra = h.extra ?? {};
  add('hcp-tag', codes(extra.tags, 'type', 'code'));
  add('hcp-code', codes(extra.codes, 'type', 'code'));
  add('hcp-ident', codes(extra.identifier, 'system', 'value'));
  if (h.speciality && h.nihii_spec_code)
    add(
      'hcp-spc',
      (h.postal_codes ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pc) => `${h.speciality}${SEP}${h.nihii_spec_code}${SEP}${pc}`),
    );
  const delegates: string[] = [];
  if (extra.hcPartyKeys && typeof extra.hcPartyKeys === 'object') delegates.push(...Object.keys(extra.hcPartyKeys));
  if (extra.aesExchangeKeys && typeof extra.aesExchangeKeys === 'object')
    for (const byDelegate of Object.values(extra.aesExchangeKeys as Record<string, unknown>))
      if (byDelegate && typeof byDelegate === 'object') delegates.push(...Object.keys(byDelegate));
  add('hcp-deleg', delegates);
  return out;
}

/** Replaces the keys of one document (kinds starting with `kindPrefix`) by `keys`. */
export async function replaceSearchKeys(
  m: EntityManager,
  pg: boolean,
  groupId: string,
  kindPrefix: string,
  docId: string,
  keys: KeyRow[],
): Promise<void> {
  const p = (i: number) => (pg ? `$${i}` : '?');
  await m.query(`DELETE FROM search_keys WHERE group_id = ${p(1)} AND kind >= ${p(2)} AND kind < ${p(3)} AND doc_id = ${p(4)}`, [
    groupId,
    kindPrefix,
    `${kindPrefix}~`,
    docId,
  ]);
  await insertSearchKeys(m, pg, groupId, docId, keys);
}

export async function insertSearchKeys(m: EntityManager, pg: boolean, groupId: string, docId: string, keys: KeyRow[]): Promise<void> {
  await insertSearchKeysOfMany(
    m,
    pg,
    groupId,
    keys.map((k) => ({ ...k, docId })),
  );
}

/** The keys of several documents of one group, in multi-row INSERTs (bulk import). */
export async function insertSearchKeysOfMany(
  m: EntityManager,
  pg: boolean,
  groupId: string,
  keys: (KeyRow & { docId: string })[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const params: string[] = [];
    const tuples = chunk.map((k) => {
      params.push(groupId, k.kind, k.key, k.docId);
      const n = params.length;
      return pg ? `($${n - 3}, $${n - 2}, $${n - 1}, $${n})` : '(?, ?, ?, ?)';
    });
    await m.query(`INSERT INTO search_keys (group_id, kind, key, doc_id) VALUES ${tuples.join(', ')}`, params);
  }
}

/*
 * Prefix search driven by its matches, in document id order (README "Indexes and scale").
 * Within one key the primary key (group_id, kind, key, doc_id) yields doc ids in order, so a page
 * by id is the merge of one ordered index range per distinct key starting with the word: the
 * database reads about `page + keys` entries, not every match. The distinct keys are found by a
 * loose index scan (one seek per key), at most mergeMaxKeys() of them; a word with more keys
 * (a one- or two-letter prefix) is searched by the capped paths the repositories choose.
 */

/**
 * Beyond this many distinct keys, a word is not merged key by key. SQLite prepares a statement
 * once (statement cache) and merges 128 ranges in about a millisecond; PostgreSQL plans every
 * statement, about 20 µs per branch, and its planner already walks a frequent word's documents in
 * id order (a merge semi join over the (group, kind, doc, key) index), so it merges fewer.
 */
export function mergeMaxKeys(pg: boolean): number {
  return pg ? 32 : 128;
}

/** Where a page in doc id order starts: `from` inclusive or `after` exclusive, descending with `desc`. */
export interface DocCursor {
  from?: string;
  after?: string;
  desc?: boolean;
}

/**
 * The distinct keys of `kind` that start with `prefix`, in order, at most `max` (a loose index scan:
 * one seek per key). Each seek is `ORDER BY key LIMIT 1`, never `MIN(key)`: PostgreSQL turns a MIN
 * into a one-entry index read only when it expects many entries, and when its estimate for a key
 * range was low it aggregated every entry of the first key instead (991 entries of a last name, 0.6 ms,
 * at a million users).
 */
export function sqlKeysWithPrefix(q: SqlParams, groupId: string, kind: string, prefix: string, max: number): string {
  const [lo, hi] = prefixRange(prefix);
  const first = `SELECT k.key FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = ${q.p(kind)} AND k.key >= ${q.p(lo)} AND k.key < ${q.p(hi)} ORDER BY k.key LIMIT 1`;
  const next = `SELECT k.key FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = ${q.p(kind)} AND k.key > ks.key AND k.key < ${q.p(hi)} ORDER BY k.key LIMIT 1`;
  return (
    `WITH RECURSIVE ks(key, n) AS (SELECT (${first}), 1 UNION ALL SELECT (${next}), ks.n + 1 FROM ks ` +
    `WHERE ks.key IS NOT NULL AND ks.n < ${q.p(max)}) SELECT ks.key AS key FROM ks WHERE ks.key IS NOT NULL`
  );
}

/** How many (document, key) entries start with `prefix`, counted up to `cap` (an index range, read at most `cap` entries). */
export function sqlPrefixCount(q: SqlParams, groupId: string, kind: string, prefix: string, cap: number): string {
  const [lo, hi] = prefixRange(prefix);
  return (
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_keys k WHERE k.group_id = ${q.p(groupId)} AND k.kind = ${q.p(kind)} ` +
    `AND k.key >= ${q.p(lo)} AND k.key < ${q.p(hi)} LIMIT ${q.p(cap)}) c`
  );
}

/**
 * Documents having one of `keys` (exact keys), in id order from the cursor: one ordered
 * primary-key range per key, merged by the database, yielding `doc_id`.
 *
 * SQLite: a compound `UNION` of the ranges with `ORDER BY`, merged and deduplicated lazily
 * (`MERGE (UNION)`), for the caller's join in ascending order. With `sqlite`, each branch also
 * joins `join` under `cond` (conditions on `k.doc_id` and the joined tables) and the merge is
 * limited: a list for `IN` (SQLite only knows ascending merged subqueries to be ordered).
 * PostgreSQL: `Merge Append` over ordered branch subqueries (it only merges subqueries ordered
 * on their own) for the caller's join, `ORDER BY` and `LIMIT`; a document having two of the keys
 * comes twice, on adjacent rows (the caller drops repeats).
 */
export function sqlDocsOfKeys(
  q: SqlParams,
  pg: boolean,
  groupId: string,
  kind: string,
  keys: string[],
  c: DocCursor,
  sqlite?: { join: string; cond: (q: SqlParams) => string; limit: number },
): string {
  const dir = c.desc ? 'DESC' : 'ASC';
  const branch = (key: string) => {
    let s = `SELECT k.doc_id AS doc_id FROM search_keys k${sqlite ? ` ${sqlite.join}` : ''} WHERE k.group_id = ${q.p(groupId)} AND k.kind = ${q.p(kind)} AND k.key = ${q.p(key)}`;
    if (c.after !== undefined) s += ` AND k.doc_id ${c.desc ? '<' : '>'} ${q.p(c.after)}`;
    else if (c.from !== undefined) s += ` AND k.doc_id ${c.desc ? '<=' : '>='} ${q.p(c.from)}`;
    if (sqlite) s += ` AND ${sqlite.cond(q)}`;
    return s;
  };
  if (pg) return keys.map((k) => `(${branch(k)} ORDER BY k.doc_id ${dir})`).join(' UNION ALL ');
  return `${keys.map(branch).join(' UNION ')} ORDER BY 1 ${dir}${sqlite ? ` LIMIT ${q.p(sqlite.limit)}` : ''}`;
}

/** `EXISTS`: document `docCol` has a key of `kind` starting with `prefix` (a probe of the (group_id, kind, doc_id) index). */
export function sqlDocHasPrefix(q: SqlParams, groupId: string, kind: string, prefix: string, docCol: string): string {
  const [lo, hi] = prefixRange(prefix);
  return (
    `EXISTS (SELECT 1 FROM search_keys p WHERE p.group_id = ${q.p(groupId)} AND p.kind = ${q.p(kind)} AND p.doc_id = ${docCol} ` +
    `AND p.key >= ${q.p(lo)} AND p.key < ${q.p(hi)})`
  );
}

/** How a multi-word prefix search runs: merged from `driver` keys (one word), the other words probed per document. */
export interface PrefixPlan {
  /** The distinct keys of the driving word (at most mergeMaxKeys()). */
  driver: string[];
  /** The other words, each checked by `sqlDocHasPrefix`. */
  others: string[];
}

/**
 * A statement whose rows come back as arrays in select-list order (`TransactionRunner.queryArrays`;
 * `packed` and `prepared` as there).
 */
export type ArrayQuery = (sql: string, params: unknown[], o?: { packed?: boolean; prepared?: boolean }) => Promise<unknown[][]>;

/** Entries counted at most, when choosing the driving word or between merging and gathering. */
const COUNT_CAP = 1000;
/** A single word with more keys than this but fewer than COUNT_CAP entries is gathered and sorted (cheaper than a wide merge). */
const GATHER_MIN_KEYS = 16;

async function countEntries(run: ArrayQuery, pg: boolean, groupId: string, kind: string, word: string, cap = COUNT_CAP): Promise<number> {
  const q = new SqlParams(pg);
  // Prepared (PostgreSQL): one index range whatever the values; planning it cost more than running it.
  const [row] = await run(sqlPrefixCount(q, groupId, kind, word, cap), q.values, { prepared: true });
  return Number(row?.[0] ?? 0);
}

/**
 * Chooses how to search `words` (each one a prefix, all required):
 * - 'none' when a word matches no key;
 * - 'gather' for one word with few entries spread over many keys (e.g. `user00001`: 100 keys, one
 *   document each): reading its few entries and sorting them beats merging many ranges;
 * - a PrefixPlan driven by the word with the fewest entries (counted up to COUNT_CAP; ties: the
 *   longer word) among those with at most mergeMaxKeys() keys, the other words probed;
 * - null when every word has more keys than that.
 * Statements: per word a capped count (several words only), one loose key scan per word tried.
 */
export async function planPrefixSearch(
  run: ArrayQuery,
  pg: boolean,
  groupId: string,
  kind: string,
  words: string[],
): Promise<PrefixPlan | 'none' | 'gather' | null> {
  const max = mergeMaxKeys(pg);
  const keysOf = async (word: string) => {
    const q = new SqlParams(pg);
    // Prepared (PostgreSQL): one seek per key whatever the values; planning it cost more than running it.
    return (await run(sqlKeysWithPrefix(q, groupId, kind, word, max + 1), q.values, { prepared: true })).map((r) => String(r[0]));
  };
  if (words.length === 1) {
    const keys = await keysOf(words[0]);
    if (!keys.length) return 'none';
    if (keys.length > max) return null;
    if (keys.length > GATHER_MIN_KEYS && (await countEntries(run, pg, groupId, kind, words[0])) < COUNT_CAP) return 'gather';
    return { driver: keys, others: [] };
  }
  const counted: { word: string; n: number }[] = [];
  for (const word of words) {
    const n = await countEntries(run, pg, groupId, kind, word);
    if (!n) return 'none';
    counted.push({ word, n });
  }
  counted.sort((a, b) => a.n - b.n || b.word.length - a.word.length);
  for (const { word } of counted) {
    const keys = await keysOf(word);
    if (keys.length <= max) return { driver: keys, others: words.filter((w) => w !== word) };
  }
  return null;
}

/**
 * Up to `limit` rows in id order from the cursor, read `limit` at a time by `fetch` (which may
 * repeat a document on adjacent rows; repeats are dropped and the page completed from the last id).
 */
export async function pageByDocId<T>(
  fetch: (c: DocCursor, limit: number) => Promise<T[]>,
  idOf: (row: T) => unknown,
  c: DocCursor,
  limit: number,
): Promise<T[]> {
  const out: T[] = [];
  let cursor = c;
  for (;;) {
    const rows = await fetch(cursor, limit);
    for (const r of rows) if (out.length < limit && (out.length === 0 || idOf(out[out.length - 1]) !== idOf(r))) out.push(r);
    if (out.length >= limit || rows.length < limit) return out;
    cursor = { after: String(idOf(rows[rows.length - 1])), desc: c.desc };
  }
}

/** The table a prefix search pages: `alias` over `table` (columns `group_id`, `id`), live rows under `live`. */
export interface SearchedTable {
  table: string;
  alias: string;
  live: string;
}

/**
 * A page merged from the driving word's keys in id order (`sqlDocsOfKeys`), each document probed
 * for the other words and joined to its row (group, live): merged first and joined after on
 * PostgreSQL, and on SQLite in ascending order. SQLite does not know that a merged subquery is in
 * descending order (it would sort every match): descending, each key's range is joined and probed
 * and the merge limited, as an `IN` list, and the rows come unordered (`prefixSearchPage` orders them).
 */
export function sqlMergePage(
  q: SqlParams,
  pg: boolean,
  t: SearchedTable,
  sel: string,
  groupId: string,
  kind: string,
  plan: PrefixPlan,
  c: DocCursor,
  limit: number,
): string {
  const a = t.alias;
  const probes = (q: SqlParams, doc: string) => plan.others.map((w) => ` AND ${sqlDocHasPrefix(q, groupId, kind, w, doc)}`).join('');
  if (!pg && c.desc) {
    // Placeholders are taken in text order (SQLite binds `?` by position).
    const head = `SELECT ${sel} FROM ${t.table} ${a} WHERE ${a}.group_id = ${q.p(groupId)} AND ${a}.id IN`;
    const join = {
      join: `CROSS JOIN ${t.table} ${a}`,
      cond: (q: SqlParams) => `${a}.group_id = ${q.p(groupId)} AND ${a}.id = k.doc_id AND ${t.live}${probes(q, 'k.doc_id')}`,
    };
    return `${head} (${sqlDocsOfKeys(q, false, groupId, kind, plan.driver, c, { ...join, limit })})`;
  }
  const docs = sqlDocsOfKeys(q, pg, groupId, kind, plan.driver, c);
  const where = `${a}.group_id = ${q.p(groupId)} AND ${a}.id = m.doc_id AND ${t.live}${probes(q, 'm.doc_id')}`;
  return `SELECT ${sel} FROM (${docs}) m CROSS JOIN ${t.table} ${a} WHERE ${where} ORDER BY m.doc_id ${c.desc ? 'DESC' : 'ASC'} LIMIT ${q.p(limit)}`;
}

/**
 * A page for words that each have more than mergeMaxKeys() keys and WALK_MIN entries (frequent
 * words): the group's rows in id order, each probed for every word; a page costs
 * page / (share of matching rows) probes.
 */
export function sqlWalkPage(
  q: SqlParams,
  t: SearchedTable,
  sel: string,
  groupId: string,
  kind: string,
  words: string[],
  c: DocCursor,
  limit: number,
): string {
  const a = t.alias;
  let where = `${a}.group_id = ${q.p(groupId)} AND ${t.live}`;
  if (c.after !== undefined) where += ` AND ${a}.id ${c.desc ? '<' : '>'} ${q.p(c.after)}`;
  else if (c.from !== undefined) where += ` AND ${a}.id ${c.desc ? '<=' : '>='} ${q.p(c.from)}`;
  for (const w of words) where += ` AND ${sqlDocHasPrefix(q, groupId, kind, w, `${a}.id`)}`;
  return `SELECT ${sel} FROM ${t.table} ${a} WHERE ${where} ORDER BY ${a}.id ${c.desc ? 'DESC' : 'ASC'} LIMIT ${q.p(limit)}`;
}

/** A word with this many entries or more (and too many keys to merge) is frequent: SQLite walks by id. */
export const WALK_MIN = 10_000;

/**
 * Rows of `t` having, for every word, a key of `kind` starting with it, in id order from the
 * cursor, at most `limit`; null when the caller's generic statement should run instead: merged
 * from one word's keys when a word has at most mergeMaxKeys() keys; else on SQLite a walk by id
 * when every word is frequent; else the generic form (SQLite gathers fewer than WALK_MIN matches
 * of a word and sorts them; PostgreSQL's planner chooses between that and walking by id).
 * `read` runs every statement (the planning ones and the page), rows as arrays: a page's rows in
 * the order of the select list `sel.list` (packed when `sel.packed`), whose value `sel.idAt` is the
 * document id.
 */
export async function prefixSearchPage(
  read: ArrayQuery,
  pg: boolean,
  t: SearchedTable,
  sel: { list: string; idAt: number; packed: boolean },
  groupId: string,
  kind: string,
  words: string[],
  c: DocCursor,
  limit: number,
): Promise<unknown[][] | null> {
  const plan = await planPrefixSearch(read, pg, groupId, kind, words);
  if (plan === 'none') return [];
  if (plan === 'gather') return null;
  const idOf = (r: unknown[]) => String(r[sel.idAt]);
  if (plan) {
    // Rows come in the database's order of ids, which the cursor comparisons (`doc_id > after`)
    // follow too; on PostgreSQL that is the column's collation, not JavaScript's order, so a page
    // must not be re-sorted here (a re-sorted page resumed from the wrong id: rows came twice or
    // never). Only SQLite's descending merge comes unordered; SQLite compares ids byte-wise (BINARY),
    // like `<` on the ASCII ids the profiles accept.
    const unordered = !pg && c.desc;
    const byId = (x: unknown[], y: unknown[]) => (idOf(x) < idOf(y) ? 1 : -1);
    const fetch = async (cur: DocCursor, n: number) => {
      const q = new SqlParams(pg);
      const sql = sqlMergePage(q, pg, t, sel.list, groupId, kind, plan, cur, n);
      const rows = await read(sql, q.values, { packed: sel.packed });
      return unordered ? rows.sort(byId) : rows;
    };
    return pageByDocId(fetch, idOf, c, limit);
  }
  if (pg) return null;
  for (const w of words) if ((await countEntries(read, pg, groupId, kind, w, WALK_MIN)) < WALK_MIN) return null;
  const q = new SqlParams(pg);
  return read(sqlWalkPage(q, t, sel.list, groupId, kind, words, c, limit), q.values, { packed: sel.packed });
}
