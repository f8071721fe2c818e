import { expect } from '@jest/globals';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import type { KeysetPage } from '../../../src/common/pagination';
import { bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import { body } from '../../support/body';
import { testDatabaseUrl } from '../../support/database';
import { startApp, TestApp } from '../../support/test-app';

/**
 * Group subtrees and search keys are byte-wise ranges (`path >= '/root/a/' AND path < '/root/a0'`),
 * and list pages follow byte-wise keys. On PostgreSQL the service runs here on a database whose
 * default collation is ICU `en-US`, where `/root/A/` sorts inside the range of `/root/a/`: before
 * the range columns carried the "C" collation, deleting group `a` deleted group `A` with it. Ids
 * keep the database's order: text search pages used to be re-sorted in JavaScript's order and then
 * resumed by the database's, so with client ids like `AB-1` and `ab-1` rows came twice. On SQLite
 * (byte-wise by default) the same checks run on the ordinary test database.
 */
const pgBase = testDatabaseUrl();

/** A database whose default collation is not byte-wise: ICU en-US. */
async function icuDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `caregate_icu_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: pgBase });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
  const url = new URL(pgBase!);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

const byteOrder = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Client-chosen ids whose byte order differs from ICU en-US order (`AB` < `Ab` < `ab` byte-wise, the reverse under ICU). */
const MIXED_IDS = ['ab-1', 'Ab-1', 'AB-1', 'a_b', 'a-b', 'a.b', 'Zed', 'zed', '_u', '0x'];

describe(`byte-wise ranges and orders (${pgBase ? 'PostgreSQL, ICU en-US default collation' : 'SQLite'})`, () => {
  let t: TestApp;
  let icu: { url: string; drop: () => Promise<void> } | undefined;
  let root: string;

  beforeAll(async () => {
    icu = pgBase ? await icuDatabase() : undefined;
    // The app migrates its own (ICU) database at boot, as a new deployment would.
    t = await startApp({ env: icu ? { DATABASE_URL: icu.url, CAREGATE_RUN_MIGRATIONS: 'true' } : {} });
    root = (await loginAsRootAdmin(t)).token;
  });
  afterAll(async () => {
    await t?.close();
    await icu?.drop();
  });

  it('runs where the default collation really is not byte-wise', async () => {
    if (!icu) return;
    const c = new Client({ connectionString: icu.url });
    await c.connect();
    try {
      // The premise: the database's own ordering puts `/root/A/` inside `a`'s subtree range...
      const { rows } = await c.query<{ inside: boolean }>(`SELECT '/root/A/' >= '/root/a/' AND '/root/A/' < '/root/a0' AS inside`);
      expect(rows[0].inside).toBe(true);
      // ...and the range columns are byte-wise all the same.
      const cols = await c.query<{ table_name: string; column_name: string; collation_name: string | null }>(
        `SELECT table_name, column_name, collation_name FROM information_schema.columns
          WHERE (table_name, column_name) IN (('groups','path'),('search_keys','key'),('users','login_key'),('healthcare_parties','last_name_key'))
          ORDER BY table_name`,
      );
      expect(cols.rows.map((r) => `${r.table_name}.${r.column_name}:${r.collation_name}`)).toEqual([
        'groups.path:C',
        'healthcare_parties.last_name_key:C',
        'search_keys.key:C',
        'users.login_key:C',
      ]);
    } finally {
      await c.end();
    }
  });

  it('deleting group `a` leaves group `A` (and its child) alone', async () => {
    const suffix = randomBytes(3).toString('hex');
    const lower = await createGroup(t, { id: `a${suffix}` });
    const upper = await createGroup(t, { id: `A${suffix}` });
    const upperChild = await createGroup(t, { id: `A${suffix}-kid`, parent: upper });
    await t.http().delete(`/rest/v2/group/${lower.id}`).set(bearer(root)).expect(200);
    await t.http().get(`/rest/v2/group/${lower.id}`).set(bearer(root)).expect(404);
    await t.http().get(`/rest/v2/group/${upper.id}`).set(bearer(root)).expect(200);
    const kids = body<KeysetPage<{ id: string }>>(await t.http().get(`/rest/v2/group/${upper.id}/children`).set(bearer(root)).expect(200));
    expect(kids.rows.map((g) => g.id)).toEqual([upperChild.id]);
  });

  it('moving group `b` moves its subtree only, not group `B`', async () => {
    const suffix = randomBytes(3).toString('hex');
    const target = await createGroup(t, { id: `t${suffix}` });
    const lower = await createGroup(t, { id: `b${suffix}` });
    const lowerChild = await createGroup(t, { id: `b${suffix}-kid`, parent: lower });
    const upper = await createGroup(t, { id: `B${suffix}` });
    const upperChild = await createGroup(t, { id: `B${suffix}_kid`, parent: upper });
    await t.http().put(`/rest/v2/group/${lower.id}/parent/${target.id}`).set(bearer(root)).expect(200);
    const parentOf = async (id: string) =>
      body<{ superGroup: string }>(await t.http().get(`/rest/v2/group/${id}`).set(bearer(root)).expect(200)).superGroup;
    expect(await parentOf(lower.id)).toBe(target.id);
    expect(await parentOf(lowerChild.id)).toBe(lower.id);
    expect(await parentOf(upper.id)).toBe('root');
    expect(await parentOf(upperChild.id)).toBe(upper.id);
    const underTarget = body<KeysetPage<{ id: string }>>(
      await t.http().get(`/rest/v2/group/${target.id}/children`).set(bearer(root)).expect(200),
    );
    expect(underTarget.rows.map((g) => g.id)).toEqual([lower.id]);
    // Admin scoping reads ancestry from the paths: the target's administrator now reaches b's
    // subtree, and still not B's (another tenant: 404).
    const targetAdmin = (await loginAs(t, await createAdmin(t, target))).token;
    await t.http().get(`/rest/v2/group/${lowerChild.id}`).set(bearer(targetAdmin)).expect(200);
    await t.http().get(`/rest/v2/group/${upper.id}`).set(bearer(targetAdmin)).expect(404);
    await t.http().get(`/rest/v2/group/${upperChild.id}`).set(bearer(targetAdmin)).expect(404);
  });

  it('user pages follow the byte order of logins, across pages', async () => {
    const g = await createGroup(t);
    const logins = ['Zed', 'alpha', 'Beta', '_under', 'a-b', 'ab', 'a_b', 'AB', 'Ab'];
    for (const login of logins) await createUser(t, g, { login });
    const seen: string[] = [];
    let startKey: string | undefined;
    let startDocumentId: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await t
        .http()
        .get(`/rest/v2/user/inGroup/${g.id}`)
        .query({ limit: 3, ...(startKey !== undefined ? { startKey, startDocumentId } : {}) })
        .set(bearer(root))
        .expect(200);
      const page = body<KeysetPage<{ id: string; login: string }> & { nextKeyPair?: { startKey: string; startKeyDocId: string } }>(res);
      seen.push(...page.rows.map((u) => u.login));
      if (!page.nextKeyPair) break;
      startKey = page.nextKeyPair.startKey;
      startDocumentId = page.nextKeyPair.startKeyDocId;
    }
    expect(seen).toEqual(byteOrder(logins));
  });

  /** Ids of every page of a filter route, 3 per page, each resumed from the previous page's `startKeyDocId`. */
  async function pagedIds(token: string, route: string, filter: object): Promise<string[]> {
    const seen: string[] = [];
    let startDocumentId: string | undefined;
    for (let i = 0; i < MIXED_IDS.length + 2; i++) {
      const res = await t
        .http()
        .post(route)
        .query({ limit: 3, ...(startDocumentId !== undefined ? { startDocumentId } : {}) })
        .set(bearer(token))
        .send({ filter })
        .expect(200);
      const page = body<KeysetPage<{ id: string }> & { nextKeyPair?: { startKeyDocId: string } }>(res);
      seen.push(...page.rows.map((r) => r.id));
      startDocumentId = page.nextKeyPair?.startKeyDocId;
      if (startDocumentId === undefined) break;
    }
    return seen;
  }

  it('text search pages hold every match once, whatever the case and punctuation of the ids', async () => {
    const g = await createGroup(t);
    const token = (await loginAs(t, await createAdmin(t, g))).token;
    // MIXED_IDS matched by one key (merged), two keys (`quo`: `quokka` and `quoll`), ascending and descending.
    let n = 0;
    for (const id of MIXED_IDS) {
      const last = n++ % 2 ? 'Quokka' : 'Quoll';
      await t
        .http()
        .post('/rest/v2/user')
        .set(bearer(token))
        .send({ id, login: `q${n}`, name: `Pat ${last}` })
        .expect(200);
    }
    // One user with both keys of `quo`: merged, it comes twice on adjacent rows and is shown once.
    await t.http().post('/rest/v2/user').set(bearer(token)).send({ id: 'aB-2', login: 'q-both', name: 'Pat Quokka Quoll' }).expect(200);
    // The database's order of these ids: the all-users filter pages by id in it.
    const all = body<KeysetPage<{ id: string }>>(
      await t
        .http()
        .post('/rest/v2/user/filter')
        .query({ limit: 100 })
        .set(bearer(token))
        .send({ filter: { $type: 'AllUsersFilter' } })
        .expect(200),
    ).rows.map((u) => u.id);
    for (const [searchString, desc] of [
      ['quokka', false],
      ['quo', false],
      ['quo', true],
      ['pat quo', false],
    ] as const) {
      const seen = await pagedIds(token, '/rest/v2/user/filter', { $type: 'UserByNameEmailPhoneFilter', searchString, desc });
      const matches = new Set([...MIXED_IDS.filter((_, k) => searchString !== 'quokka' || k % 2 === 1), 'aB-2']);
      // Each match exactly once, in the database's order of ids (reversed with `desc`).
      const inOrder = all.filter((id) => matches.has(id));
      expect(seen).toEqual(desc ? inOrder.reverse() : inOrder);
    }
  });

  it('healthcare party name search pages hold every match once, whatever the ids', async () => {
    const g = await createGroup(t);
    const token = (await loginAs(t, await createAdmin(t, g))).token;
    for (const id of MIXED_IDS)
      await t.http().post('/rest/v2/hcparty').set(bearer(token)).send({ id, lastName: 'Quokka', firstName: 'F' }).expect(200);
    const seen = await pagedIds(token, '/rest/v2/hcparty/filter', { $type: 'HealthcarePartyByNameFilter', name: 'quok' });
    expect([...seen].sort()).toEqual([...MIXED_IDS].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('healthcare parties list in the byte order of last names', async () => {
    const g = await createGroup(t);
    const token = (await loginAs(t, await createAdmin(t, g))).token;
    const names = ['adams', 'Baker', 'zulu', 'Zulu', '_x', 'de-la', 'dela'];
    for (const lastName of names) await t.http().post('/rest/v2/hcparty').set(bearer(token)).send({ lastName, firstName: 'F' }).expect(200);
    const page = body<KeysetPage<{ lastName: string }>>(await t.http().get('/rest/v2/hcparty').set(bearer(token)).expect(200));
    expect(page.rows.map((h) => h.lastName)).toEqual(byteOrder(names));
  });
});
