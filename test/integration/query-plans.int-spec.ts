import { DataSource, QueryRunner } from 'typeorm';
import { SqlParams } from '../../src/database/row-mapper';
import { PrefixPlan, sqlKeysWithPrefix, sqlPrefixCount } from '../../src/database/search-keys';
import { GroupsRepository } from '../../src/groups/groups.repository';
import { HealthcarePartiesRepository } from '../../src/healthcare-parties/healthcare-parties.repository';
import { UsersRepository } from '../../src/users/users.repository';
import { seedSearchGroup } from '../support/search-seed';
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
  let groups: GroupsRepository;
  let qr: QueryRunner;
  let pg: boolean;
  const G = 'plan-group';

  beforeAll(async () => {
    t = await startApp();
    users = t.get(UsersRepository);
    hcps = t.get(HealthcarePartiesRepository);
    groups = t.get(GroupsRepository);
    const ds = t.get(DataSource);
    pg = ds.options.type === 'postgres';
    qr = ds.createQueryRunner();
    await qr.connect();
    if (pg) await qr.query('SET enable_seqscan = off');
    await seedSearchGroup((sql) => qr.query(sql), pg, T, 20000);
  });
  afterAll(async () => {
    await qr.release();
    await t.close();
  });

  // PostgreSQL plans by statistics: on empty tables a merge of key ranges or a probe by document
  // looks no cheaper than reading everything, so group T holds 20,000 users and 20,000 HCPs with
  // 4 keys each (ln0..ln49, fn0..fn39, their id, "bench"), analysed. SQLite plans these the same either way.
  const T = 'plan-text';
  async function plan([sql, params]: [string, unknown[]]): Promise<string> {
    if (pg) {
      const rows = (await qr.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    const rows = (await qr.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  }

  /**
   * A full scan (table or whole index) or a sort of users / healthcare_parties / search_keys fails
   * (a PostgreSQL Sort node: `Sort  (` or `->  Sort  (`; a Merge Append's `Sort Key:` line is a merge, not a sort).
   */
  function expectIndexed(p: string, opts: { sortAllowed?: boolean } = {}): void {
    if (pg) {
      expect(p).not.toMatch(/Seq Scan on (users|healthcare_parties|search_keys)\b/);
      expect(p).not.toMatch(/Full Index Scan|Index Only Scan using \S+ on (users|healthcare_parties) .*\n?.*Filter/);
      if (!opts.sortAllowed) expect(p).not.toMatch(/(^|->\s+)(Incremental )?Sort\s+\(/m);
    } else {
      expect(p).not.toMatch(/\bSCAN (u|h|k|p|users|healthcare_parties|search_keys)\b/);
      if (!opts.sortAllowed) expect(p).not.toMatch(/TEMP B-TREE/);
    }
  }

  it.each([
    ['login across groups', () => users.sqlByIdentifier(null, 'someone')],
    ['identifier in a group', () => users.sqlByIdentifier(G, 'someone@example.org')],
    ['email (case-insensitive)', () => users.sqlByEmail(G, 'Someone@Example.org')],
    ['email with app-token keys (the native read)', () => users.sqlByEmailWithTokenKeys(G, 'Someone@Example.org')],
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

  it.each([
    ['across groups', null],
    ['in a group', G],
  ])('login candidates with their group path, %s: users by their identifier indexes, the group by its primary key', async (_n, group) => {
    const [sql, params] = users.sqlByIdentifier(group, 'someone', true);
    // PostgreSQL: the plan of these values, and the generic plan the prepared statement may switch to.
    for (const p of pg ? [await plan([sql, params]), await genericPlan(sql, params)] : [await plan([sql, params])]) {
      expectIndexed(p);
      if (pg) {
        // Each user row looks up its own group: never a join that walks the groups index (a merge
        // join reads it from the start up to the user's group id).
        expect(p).not.toMatch(/Seq Scan on groups|Merge Join|Hash Join/);
        expect(p).toMatch(/Index Scan using \S+ on groups g\S*\s.*\n\s+Index Cond: \(\(id\)::text = \(u\S*\.group_id\)::text\)/);
      } else {
        expect(p).not.toMatch(/\bSCAN g\b/);
        expect(p).toMatch(/SEARCH g USING (INDEX sqlite_autoindex_groups_1|INTEGER PRIMARY KEY|PRIMARY KEY) \(id=\?\)/);
      }
    }
  });

  it('email with app-token keys: the generic plan of the prepared statement is indexed too (PostgreSQL)', async () => {
    if (!pg) return;
    const [sql, params] = users.sqlByEmailWithTokenKeys(G, 'Someone@Example.org');
    const p = await genericPlan(sql, params);
    expectIndexed(p);
    expect(p).toMatch(/Index (Only )?Scan using \S+ on users e/);
  });

  /** The plan PostgreSQL may switch a named prepared statement to after five executions (made without the values). */
  async function genericPlan(sql: string, params: unknown[]): Promise<string> {
    const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
    await qr.query(`PREPARE plan_generic AS ${sql}`);
    try {
      await qr.query('SET plan_cache_mode = force_generic_plan');
      const rows = (await qr.query(`EXPLAIN EXECUTE plan_generic(${params.map(literal).join(', ')})`)) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await qr.query('RESET plan_cache_mode');
      await qr.query('DEALLOCATE plan_generic');
    }
  }

  it.each([
    ['first page', {}],
    ['next page', { startId: 'x' }],
  ])('children of a group, %s: the (super_group_id, id) index in order, no sort', async (_name, from) => {
    const p = await plan(groups.sqlChildren('parent', { ...from, limit: 51 }));
    if (pg) {
      expect(p).not.toMatch(/Seq Scan on groups/);
      expect(p).not.toMatch(/(^|->\s+)(Incremental )?Sort\s+\(/m);
      expect(p).toMatch(/Index Scan using \S+ on groups/);
    } else {
      expect(p).not.toMatch(/\bSCAN g\b|TEMP B-TREE/);
      expect(p).toMatch(/SEARCH g USING INDEX \S+ \(super_group_id=\?/);
    }
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

  describe('text search by merged key ranges (README "Indexes and scale")', () => {
    const stmt = (build: (q: SqlParams) => string): [string, unknown[]] => {
      const q = new SqlParams(pg);
      return [build(q), q.values];
    };
    const one: PrefixPlan = { driver: ['ln1'], others: [] };
    const three: PrefixPlan = { driver: ['ln1', 'ln10', 'ln11'], others: [] };
    const probed: PrefixPlan = { driver: ['ln1', 'ln10', 'ln11'], others: ['fn3', 'be'] };

    // A prefix with many entries and one the statistics expect few of (where PostgreSQL planned a
    // MIN(key) as an aggregate over every entry of the key).
    it.each(['ln1', 'zzq'])(
      'distinct keys of prefix %s: each seek reads one index entry, never an aggregate over a key',
      async (prefix) => {
        const p = await plan(stmt((q) => sqlKeysWithPrefix(q, T, 'user', prefix, 129)));
        expect(p).not.toMatch(pg ? /Aggregate/ : /USE TEMP B-TREE|AGGREGATE/);
        if (pg) expect(p).toMatch(/Limit[\s\S]*Index Only Scan using "?PK_\w+"? on search_keys k/);
      },
    );

    // PostgreSQL runs these two as named prepared statements (planned once per connection), which
    // it may switch to a generic plan, made without the values, after five executions: that plan
    // must seek the primary key too.
    it.each([
      ['distinct keys of a prefix', () => stmt((q) => sqlKeysWithPrefix(q, T, 'user', 'zzq', 129))],
      ['entries of a prefix, counted up to a cap', () => stmt((q) => sqlPrefixCount(q, T, 'user', 'ln1', 1000))],
    ])('%s: the generic plan of the prepared statement seeks the primary key (PostgreSQL)', async (_name, build) => {
      if (!pg) return;
      const p = await genericPlan(...build());
      expectIndexed(p);
      expect(p).not.toMatch(/Aggregate(?![\s\S]*Limit)/);
      expect(p).toMatch(/(Index (Only )?Scan using|Bitmap Index Scan on) "?PK_\w+"? on search_keys/);
    });

    it.each([
      ['distinct keys of a prefix (loose index scan)', () => stmt((q) => sqlKeysWithPrefix(q, T, 'user', 'ln1', 129))],
      ['entries of a prefix, counted up to a cap', () => stmt((q) => sqlPrefixCount(q, T, 'user', 'ln1', 1000))],
    ])('%s: ranges of the search_keys primary key', async (_name, sql) => {
      const p = await plan(sql());
      expectIndexed(p);
      expect(p).toMatch(
        pg
          ? /(Index (Only )?Scan using|Bitmap Index Scan on) "?PK_\w+"?/
          : /SEARCH k USING COVERING INDEX sqlite_autoindex_search_keys_1 \(group_id=\? AND kind=\? AND key>\? AND key<\?\)/,
      );
    });

    it.each([
      ['one key', () => users.sqlTextMerge(T, one, {}, { limit: 51 })],
      ['one key, descending from an id', () => users.sqlTextMerge(T, one, { desc: true, from: 'x' }, { limit: 51 })],
      ['three keys', () => users.sqlTextMerge(T, three, { from: 'x' }, { limit: 51 })],
      ['three keys, descending after an id', () => users.sqlTextMerge(T, three, { desc: true, after: 'x' }, { limit: 51 })],
      ['three keys and two probed words', () => users.sqlTextMerge(T, probed, {}, { limit: 51 })],
      ['three keys and two probed words, descending', () => users.sqlTextMerge(T, probed, { desc: true }, { limit: 51 })],
      // match reads up to 10,000 ids: PostgreSQL may rightly sort that many (its cap) instead of merging.
      ['ids only', () => users.sqlTextMerge(T, probed, {}, { limit: 51, idsOnly: true })],
    ])('%s: each key an ordered range, merged without a sort; users and probes by key', async (_name, sql) => {
      const [text, params] = sql();
      const p = await plan([text, params]);
      expectIndexed(p);
      if (pg) {
        expect(p).toMatch(/Index (Only )?Scan( Backward)? using "?PK_\w+"? on search_keys k/);
        if (text.includes(' UNION ALL ')) expect(p).toMatch(/Merge Append/);
        expect(p).toMatch(/Index Scan( Backward)? using \S+ on users u/);
      } else {
        expect(p).toMatch(/SEARCH k USING COVERING INDEX sqlite_autoindex_search_keys_1 \(group_id=\? AND kind=\? AND key=\?/);
        expect(p).toMatch(/SEARCH u USING (COVERING )?INDEX \S+ \((id=\? AND group_id=\?|group_id=\? AND id=\?)\)/);
        // Never a walk over the group's users.
        expect(p).not.toMatch(/SEARCH u USING (COVERING )?INDEX \S+ \(group_id=\?\)/);
      }
      if (text.includes('EXISTS')) {
        // A probe is one seek: (group, kind, doc) then the key range, in the index alone.
        expect(p).toMatch(
          pg
            ? /Index (Only )?Scan using idx_search_keys_doc_key on search_keys p/
            : /SEARCH p (EXISTS )?USING COVERING INDEX idx_search_keys_doc_key \(group_id=\? AND kind=\? AND doc_id=\? AND key>\? AND key<\?\)/,
        );
      }
    });

    // SQLite only: PostgreSQL's planner walks or gathers a wide word by itself (the generic form).
    (process.env.TEST_DATABASE_URL ? it.skip.each : it.each)([
      ['ascending from an id', { from: 'x' }],
      ['descending after an id', { desc: true, after: 'x' }],
    ])('a walk by id for frequent words (%s): the (group, id) order, each user probed by key', async (_name, c) => {
      const p = await plan(users.sqlTextWalk(T, ['fn', 'be'], c, { limit: 51 }));
      expectIndexed(p);
      expect(p).toMatch(
        pg
          ? /Index (Only )?Scan using idx_search_keys_doc_key on search_keys p/
          : /SEARCH p (EXISTS )?USING COVERING INDEX idx_search_keys_doc_key \(group_id=\? AND kind=\? AND doc_id=\? AND key>\? AND key<\?\)/,
      );
      if (!pg) expect(p).toMatch(/SEARCH u USING INDEX \S+ \(group_id=\? AND id[<>]\?\)/);
    });
  });

  describe('healthcare-party name search', () => {
    /** A probe: one seek by (group, kind, doc) and the key range, in the index alone. */
    const probe = () =>
      pg
        ? /Index Cond: \(\(group_id = '[^']+'::text\) AND \(kind = '\w+'::text\) AND \(doc_id = \([\w.]+\)::text\) AND \(key >= /
        : /SEARCH \w+ (EXISTS )?USING COVERING INDEX idx_search_keys_doc_key \(group_id=\? AND kind=\? AND doc_id=\? AND key>\? AND key<\?\)/;

    it('by last name, a rare word drives: its matches sorted, the other words probed', async () => {
      const p = await plan(hcps.sqlByLastName(T, { name: 'fn1 ln2', limit: 51 }, { gather: 'ln2' }));
      expectIndexed(p, { sortAllowed: true });
      // PostgreSQL may rather hash the other word's entries when they are as few as the driver's.
      if (!pg) expect(p).toMatch(probe());
    });

    it.each([
      ['first page', { name: 'fn be', limit: 51 }],
      ['next page', { name: 'fn be', startKey: 'ln3', startDocumentId: 'u000500', limit: 51 }],
      ['descending', { name: 'fn be', startKey: 'ln3', startDocumentId: 'u000500', limit: 51, desc: true }],
    ])('by last name, frequent words (%s): the last-name index in order, each HCP probed, no sort', async (_name, o) => {
      const p = await plan(hcps.sqlByLastName(T, o, 'walk'));
      expectIndexed(p);
      expect(p).toMatch(probe());
      expect(p).toMatch(
        pg
          ? /Index Scan( Backward)? using idx_hcp_group_last_name_key on healthcare_parties h/
          : /SEARCH h USING INDEX idx_hcp_group_last_name_key/,
      );
    });

    it.each([
      ['one key', { driver: ['ln1'], others: [] }],
      ['three keys and a probed word', { driver: ['ln1', 'ln10', 'ln11'], others: ['fn3'] }],
    ])('name filter merged from key ranges (%s): no sort, no walk over the group', async (_name, merge) => {
      const p = await plan(hcps.sqlNameMerge(T, merge, { from: 'u000100' }, { limit: 51 }));
      expectIndexed(p);
      if (!pg) {
        expect(p).toMatch(/SEARCH k USING COVERING INDEX sqlite_autoindex_search_keys_1 \(group_id=\? AND kind=\? AND key=\?/);
        expect(p).not.toMatch(/SEARCH h USING (COVERING )?INDEX \S+ \(group_id=\?\)/);
      }
      if (merge.others.length) expect(p).toMatch(probe());
    });
  });
});
