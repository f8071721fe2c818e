/**
 * The scale part of `npm run bench`: seeds users and groups directly through the database layer
 * (multi-row INSERTs in one transaction), then measures each call's latency from outside over HTTP
 * at 10k users / 10 groups and at N users / 100,000 groups. Not part of `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { hcpSearchKeys, userSearchKeys } from '../src/database/search-keys';

export interface Db {
  pg: boolean;
  exec(sql: string, params?: unknown[]): Promise<void>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction. */
  tx(work: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Synchronous underneath (better-sqlite3): the Promises only give it the Db shape; every caller awaits at once. */
export function openSqlite(file: string): Promise<Db> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as new (f: string) => {
    prepare(s: string): { run(...p: unknown[]): void; all(...p: unknown[]): unknown[] };
    pragma(s: string): unknown;
    exec(s: string): void;
    close(): void;
  };
  const db = new Database(file);
  db.pragma('busy_timeout = 30000');
  // Seeding only: a large page cache keeps the index inserts of a million rows in memory.
  db.pragma('cache_size = -262144');
  const cache = new Map<string, ReturnType<typeof db.prepare>>();
  const stmt = (s: string) => cache.get(s) ?? cache.set(s, db.prepare(s)).get(s)!;
  return Promise.resolve({
    pg: false,
    exec: (s, p = []) => Promise.resolve(void stmt(s).run(...p)),
    all: <T>(s: string, p: unknown[] = []) => Promise.resolve(stmt(s).all(...p) as T[]),
    tx: async (work) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        await work();
        db.exec('COMMIT');
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    },
    close: () => Promise.resolve(db.close()),
  });
}

export async function openPg(url: string): Promise<Db> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  return {
    pg: true,
    exec: async (s, p = []) => void (await c.query(s, p)),
    all: async <T>(s: string, p: unknown[] = []) => (await c.query(s, p)).rows as T[],
    tx: async (work) => {
      await c.query('BEGIN');
      try {
        await work();
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      }
    },
    close: () => c.end(),
  };
}

/** Multi-row INSERT of `rows` (arrays in `cols` order), chunked under the dialects' parameter limits. */
export async function insertRows(db: Db, table: string, cols: string[], rows: unknown[][]): Promise<void> {
  const per = Math.floor(30000 / cols.length);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    let n = 0;
    const tuples = chunk.map(() => `(${cols.map(() => (db.pg ? `$${++n}` : '?')).join(', ')})`);
    await db.exec(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, chunk.flat());
  }
}

/**
 * Runs a bulk load with the secondary indexes of `tables` dropped and rebuilds them afterwards
 * from their own stored definitions (a sorted build is far faster than a million index inserts).
 * Indexes backing primary keys and unique constraints stay.
 */
export async function withoutIndexes(db: Db, tables: string[], work: () => Promise<void>): Promise<void> {
  const list = tables.map((t) => `'${t}'`).join(', ');
  const defs = db.pg
    ? await db.all<{ name: string; sql: string }>(
        `SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (${list}) AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
      )
    : await db.all<{ name: string; sql: string }>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${list}) AND sql IS NOT NULL`,
      );
  for (const d of defs) await db.exec(`DROP INDEX "${d.name}"`);
  try {
    await work();
  } finally {
    for (const d of defs) await db.exec(d.sql);
  }
}

export const pad = (i: number) => String(i).padStart(7, '0');
export const userId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

const USER_COLS = [
  'id',
  'group_id',
  'rev',
  'created',
  'modified',
  'login',
  'login_key',
  'email',
  'email_key',
  'mobile_phone',
  'name',
  'first_name',
  'last_name',
  'status',
  'password_hash',
  'roles',
  'created_date',
];

/** Users `from`..`to`-1 of group `groupId`, shaped like the API writes them, with their search keys. */
export async function seedUsers(db: Db, groupId: string, from: number, to: number, hash: string): Promise<void> {
  const now = Date.now();
  const BATCH = 20000;
  for (let s = from; s < to; s += BATCH) {
    const users: unknown[][] = [];
    const keys: unknown[][] = [];
    for (let i = s; i < Math.min(to, s + BATCH); i++) {
      const login = `user${pad(i)}`;
      const email = `${login}@bench.example`;
      const phone = `+3247${pad(i)}`;
      const first = `fn${i % 997}`;
      const last = `ln${i % 1009}`;
      const id = userId(i);
      users.push([
        id,
        groupId,
        `1-${randomUUID()}`,
        now,
        now,
        login,
        login,
        email,
        email,
        phone,
        `${first} ${last}`,
        first,
        last,
        'ACTIVE',
        hash,
        '[]',
        now,
      ]);
      for (const k of userSearchKeys({ login, email, mobile_phone: phone, name: `${first} ${last}`, first_name: first, last_name: last }))
        keys.push([groupId, k.kind, k.key, id]);
    }
    await db.tx(async () => {
      await insertRows(db, 'users', USER_COLS, users);
      await insertRows(db, 'search_keys', ['group_id', 'kind', 'key', 'doc_id'], keys);
    });
  }
}

export async function seedAdmin(db: Db, groupId: string, login: string, hash: string): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await insertRows(db, 'users', USER_COLS, [
    [
      id,
      groupId,
      `1-${randomUUID()}`,
      now,
      now,
      login,
      login,
      null,
      null,
      null,
      'Bench admin',
      null,
      null,
      'ACTIVE',
      hash,
      '["ADMINISTRATOR"]',
      now,
    ],
  ]);
  return id;
}

const GROUP_COLS = ['id', 'rev', 'name', 'super_group_id', 'path', 'super_admin', 'created', 'modified'];

/**
 * Groups g1..gN under `parent` (a tree: g_i's parent is g_floor((i-1)/5), so about 8 levels at
 * 100,000), plus `wide` with 1,001 children. Returns the deepest group id.
 */
export async function seedGroups(db: Db, parent: { id: string; path: string }, count: number, prefix: string): Promise<string> {
  const now = Date.now();
  const f = db.pg ? false : 0;
  const paths: string[] = [];
  const rows: unknown[][] = [];
  let deepest = '';
  for (let i = 1; i <= count; i++) {
    const id = `${prefix}${i}`;
    const up = i <= 5 ? null : Math.floor((i - 1) / 5);
    const superId = up === null ? parent.id : `${prefix}${up}`;
    const path = `${up === null ? parent.path : paths[up]}${id}/`;
    paths[i] = path;
    if (!deepest || path.split('/').length > paths[Number(deepest.slice(prefix.length))].split('/').length) deepest = id;
    rows.push([id, `1-${randomUUID()}`, `Group ${i}`, superId, path, f, now, now]);
  }
  const wide = `${prefix}wide`;
  rows.push([wide, `1-${randomUUID()}`, 'Wide', parent.id, `${parent.path}${wide}/`, f, now, now]);
  for (let i = 0; i < 1001; i++)
    rows.push([`${wide}-${i}`, `1-${randomUUID()}`, `Wide ${i}`, wide, `${parent.path}${wide}/${wide}-${i}/`, f, now, now]);
  await db.tx(() => insertRows(db, 'groups', GROUP_COLS, rows));
  return deepest;
}

export { hcpSearchKeys };
