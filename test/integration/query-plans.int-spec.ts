import { DataSource, QueryRunner } from 'typeorm';
import { HealthcarePartiesRepository } from '../../src/healthcare-parties/healthcare-parties.repository';
import { UsersRepository } from '../../src/users/users.repository';
import { startApp, TestApp } from '../support/test-app';

/**
 * Reads the database's own plan for the exact SQL the repositories run and fails on a full scan or
 * a sort of the users or healthcare-party table. On PostgreSQL the session runs with
 * `enable_seqscan = off`: on a near-empty test table the planner rightly prefers a sequential
 * scan, which says nothing about 1M rows; with it off, a query no index serves still shows a Seq
 * Scan (the only path left) or a Sort, so the test tells "no usable index" from "index not worth it".
 */
describe('query plans: every lookup is served by an index', () => {
  let t: TestApp;
  let users: UsersRepository;
  let hcps: HealthcarePartiesRepository;
  let qr: QueryRunner;
  let pg: boolean;
  const G = 'plan-group';

  beforeAll(async () => {
    t = await startApp();
    users = t.get(UsersRepository);
    hcps = t.get(HealthcarePartiesRepository);
    const ds = t.get(DataSource);
    pg = ds.options.type === 'postgres';
    qr = ds.createQueryRunner();
    await qr.connect();
    if (pg) await qr.query('SET enable_seqscan = off');
  });
  afterAll(async () => {
    await qr.release();
    await t.close();
  });

  async function plan([sql, params]: [string, unknown[]]): Promise<string> {
    if (pg) {
      const rows = (await qr.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    const rows = (await qr.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  }

  /** A full scan (table or whole index) or a sort of users / healthcare_parties fails. */
  function expectIndexed(p: string, opts: { sortAllowed?: boolean } = {}): void {
    if (pg) {
      expect(p).not.toMatch(/Seq Scan on (users|healthcare_parties)\b/);
      expect(p).not.toMatch(/Full Index Scan|Index Only Scan using \S+ on (users|healthcare_parties) .*\n?.*Filter/);
      if (!opts.sortAllowed) expect(p).not.toMatch(/\bSort\b/);
    } else {
      expect(p).not.toMatch(/\bSCAN (u|h|users|healthcare_parties)\b/);
      if (!opts.sortAllowed) expect(p).not.toMatch(/TEMP B-TREE/);
    }
  }

  it.each([
    ['login across groups', () => users.sqlByIdentifier(null, 'someone')],
    ['identifier in a group', () => users.sqlByIdentifier(G, 'someone@example.org')],
    ['email (case-insensitive)', () => users.sqlByEmail(G, 'Someone@Example.org')],
    ['first page by login', () => users.sqlListByLogin(G, { limit: 51, skipPatients: true })],
    ['next page by login', () => users.sqlListByLogin(G, { startKey: 'm', startDocumentId: 'x', limit: 51, skipPatients: true })],
    ['all users filter', () => users.sqlFilter(G, { $type: 'AllUsersFilter' }, { from: 'x', limit: 51 })],
    ['capped count of live users', () => users.sqlCountCapped(G, false)],
    ['capped count of live users without patients', () => users.sqlCountCapped(G, true)],
    ['users by patient filter', () => users.sqlFilter(G, { $type: 'UsersByPatientIdFilter', patientId: 'p' }, { limit: 51 })],
    ['HCP children', () => hcps.sqlChildren(G, 'parent')],
    ['HCP list by last name', () => hcps.sqlByLastName(G, { startKey: 'm', startDocumentId: 'x', limit: 51 })],
    ['HCP filter by ids', () => hcps.sqlFilter(G, { $type: 'HealthcarePartyByIdsFilter', ids: ['a', 'b'] }, { limit: 51 })],
  ])('%s', async (_name, sql) => {
    const p = await plan(sql());
    expectIndexed(p);
  });

  it.each([false, true])('the capped count (skipPatients %s) reads the live-users index alone, never a table row', async (skip) => {
    const p = await plan(users.sqlCountCapped(G, skip));
    expect(p).toMatch(pg ? /Index Only Scan using idx_users_live_group on users/ : /USING COVERING INDEX idx_users_live_group/);
  });

  it.each([
    ['text search filter', () => users.sqlFilter(G, { $type: 'UserByNameEmailPhoneFilter', searchString: 'dupo' }, { limit: 51 })],
    ['HCP findByName', () => hcps.sqlByLastName(G, { name: 'dupo', limit: 51 })],
    ['HCP tag filter', () => hcps.sqlFilter(G, { $type: 'HealthcarePartyByTagCodeFilter', tagType: 'T' }, { limit: 51 })],
  ])('%s (prefix search over search_keys)', async (_name, sql) => {
    const p = await plan(sql());
    expectIndexed(p, { sortAllowed: true });
    // A prefix search is driven by its matches, never by a walk over the whole group.
    if (!pg) expect(p).not.toMatch(/SEARCH [uh] USING INDEX \S+ \(group_id=\?\)/);
    expect(p).toMatch(pg ? /search_keys/ : /SEARCH k USING (COVERING )?INDEX|SEARCH k USING PRIMARY KEY/);
  });
});
