import { expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { RequestContext } from '../../src/common/request-context';
import { HealthcarePartiesRepository } from '../../src/healthcare-parties/healthcare-parties.repository';
import { UsersRepository } from '../../src/users/users.repository';
import { seedSearchGroup } from '../support/search-seed';
import { startApp, TestApp } from '../support/test-app';

/**
 * Every way a text search runs (merged key ranges, a probed word, a walk by id or by last name, the
 * gathered generic form) answers the same rows: a group of 12,000 users and 12,000 HCPs, seeded in
 * SQL with the keys the repositories would write (ln0..ln49, fn0..fn39, "id" + id, "bench"), large
 * enough that each path is taken; the repositories' own methods page through them.
 */
describe('text search paths answer the same pages', () => {
  let t: TestApp;
  let users: UsersRepository;
  let hcps: HealthcarePartiesRepository;
  const G = 'text-paths';
  const N = 12000;
  const ctx = RequestContext.system(G);
  const pad = (i: number) => `u${String(i).padStart(6, '0')}`;
  const tokens = (i: number) => [`ln${i % 50}`, `fn${i % 40}`, `id${pad(i)}`, 'bench'];

  beforeAll(async () => {
    t = await startApp();
    users = t.get(UsersRepository);
    hcps = t.get(HealthcarePartiesRepository);
    const ds = t.get(DataSource);
    const pg = ds.options.type === 'postgres';
    // Deleted rows keep their keys and never show.
    await seedSearchGroup((sql) => ds.query(sql), pg, G, N, ['u000001', 'u000051', 'u005001']);
  }, 120_000);
  afterAll(() => t.close());

  const deleted = new Set([1, 51, 5001]);
  const matching = (search: string) => {
    const words = search.split(' ');
    const out: number[] = [];
    for (let i = 0; i < N; i++) if (!deleted.has(i) && words.every((w) => tokens(i).some((k) => k.startsWith(w)))) out.push(i);
    return out;
  };

  it.each([
    ['bench', 'one key, every user'],
    ['ln1', '11 keys merged'],
    ['fn', '40 keys: merged on SQLite, the generic form on PostgreSQL'],
    ['idu0', '10,000 keys of one entry: a walk by id on SQLite'],
    ['idu01', '2,000 keys of one entry: gathered'],
    ['idu0000', '100 keys of one entry: gathered'],
    ['ln1 fn3', 'merged, a word probed'],
    ['idu0 ln1', 'a narrow word drives, a wide one probed'],
    ['idu0 bench', 'wide words'],
  ])('users %s (%s): pages by id both ways, from a start id, and match', async (search, _how) => {
    const want = matching(search).map(pad);
    expect(want.length).toBeGreaterThan(0);
    for (const desc of [false, true]) {
      const order = desc ? [...want].reverse() : want;
      const filter = { $type: 'UserByNameEmailPhoneFilter' as const, searchString: search, desc };
      const first = await users.filterPage(ctx, filter, { limit: 51 });
      expect(first.map((u) => u.id)).toEqual(order.slice(0, 51));
      const mid = order[Math.floor(order.length / 2)];
      const next = await users.filterPage(ctx, filter, { from: mid, limit: 51 });
      expect(next.map((u) => u.id)).toEqual(order.slice(order.indexOf(mid), order.indexOf(mid) + 51));
      expect(await users.filterIds(ctx, filter, 10000)).toEqual(order.slice(0, 10000));
    }
  });

  it.each([
    ['ln1', 'frequent: a walk of the last-name index'],
    ['ln1 fn3', 'frequent words'],
    ['idu0001', 'rare: gathered and sorted'],
    ['idu0 ln12', 'a rare word drives'],
  ])('HCPs by last name %s (%s): pages both ways from a start key', async (name, _how) => {
    const key = (i: number) => `ln${i % 50}\u0000${pad(i)}`;
    const want = matching(name).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(want.length).toBeGreaterThan(0);
    for (const desc of [false, true]) {
      const order = desc ? [...want].reverse() : want;
      const first = await hcps.byLastName(ctx, { name, limit: 51, desc });
      expect(first.map((h) => h.id)).toEqual(order.slice(0, 51).map(pad));
      const mid = order[Math.floor(order.length / 2)];
      const next = await hcps.byLastName(ctx, { name, limit: 51, desc, startKey: `ln${mid % 50}`, startDocumentId: pad(mid) });
      expect(next.map((h) => h.id)).toEqual(order.slice(order.indexOf(mid), order.indexOf(mid) + 51).map(pad));
    }
  });

  it.each(['ln1', 'ln1 fn3', 'idu0', 'idu01'])('HCP name filter %s: pages by id', async (name) => {
    const want = matching(name).map(pad);
    const filter = { $type: 'HealthcarePartyByNameFilter', name };
    expect((await hcps.filterPage(ctx, filter, { limit: 51 })).map((h) => h.id)).toEqual(want.slice(0, 51));
    const mid = want[Math.floor(want.length / 2)];
    expect((await hcps.filterPage(ctx, filter, { from: mid, limit: 51 })).map((h) => h.id)).toEqual(
      want.slice(want.indexOf(mid), want.indexOf(mid) + 51),
    );
    expect(await hcps.filterIds(ctx, filter, 10000)).toEqual(want.slice(0, 10000));
  });
});
