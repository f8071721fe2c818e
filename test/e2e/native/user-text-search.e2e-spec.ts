import { expect } from '@jest/globals';
import type { KeysetPage } from '../../../src/common/pagination';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import { body } from '../../support/body';
import { bearer, createAdmin, createGroup, loginAs } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

/**
 * Text search (`UserByNameEmailPhoneFilter`) over HTTP: every query word is a prefix of a token of
 * the user, results in id order (or `desc`), paged by `startDocumentId`, live users of the caller's
 * group only, whichever way the repository runs it (one key, several keys merged, another word
 * probed, a word with more keys than are merged).
 */
describe('native user text search (POST /rest/v2/user/filter)', () => {
  let t: TestApp;
  let tokA: string;
  let tokB: string;
  /** Users of group A by id: their folded name tokens. */
  const tokensById = new Map<string, string[]>();
  const ids = (r: { body: unknown }) => body<KeysetPage<NativeUserDto>>(r).rows.map((u) => u.id);

  const hex = (n: number) => n.toString(16).padStart(4, '0');
  // Client ids, so that id order differs from creation order.
  const idOf = (n: number) => `7e57${hex((n * 7919) % 65536)}-0000-4000-8000-${String(n).padStart(12, '0')}`;

  async function create(token: string, id: string, fields: Record<string, unknown>): Promise<void> {
    const r = await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(token))
      .send({ id, ...fields });
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  }

  beforeAll(async () => {
    t = await startApp();
    const a = await createGroup(t);
    const b = await createGroup(t);
    const adminA = await createAdmin(t, a, { login: 'search-admin-a' });
    const adminB = await createAdmin(t, b, { login: 'search-admin-b' });
    tokA = (await loginAs(t, adminA)).token;
    tokB = (await loginAs(t, adminB)).token;
    tokensById.set(adminA.user.id, ['search', 'admin', 'a']);

    const people: [string, string][] = [
      ['Jean', 'Dupont'],
      ['Jeanne', 'Dupond'],
      ['Marie', 'Dupuis'],
      ['Jean', 'Durand'],
      ['Émile', 'Dupont-Dupond'], // two keys starting with "dup": one result
      ['Jean-Luc', 'Dupont'],
      ['Paul', 'Martin'],
      ['Jeannot', 'Dupuis'],
    ];
    let n = 0;
    for (const [firstName, lastName] of people) {
      const id = idOf(++n);
      await create(tokA, id, { login: `p${n}-person`, name: `${firstName} ${lastName}` });
      const fold = (s: string) =>
        s
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase();
      tokensById.set(id, [`p${n}`, 'person', ...fold(`${firstName} ${lastName}`).split(/[^a-z0-9]+/)]);
    }
    // A word with more distinct keys than any merge takes (zq0 … zq139), two words in every user.
    expect(n).toBe(8);
    for (let i = 0; i < 140; i++) {
      const id = idOf(++n);
      await create(tokA, id, { login: `zq${i}`, name: `Wide${i % 3}` });
      tokensById.set(id, [`zq${i}`, `wide${i % 3}`]);
    }
    // Deleted users and another group's namesakes never show.
    const gone = idOf(149);
    await create(tokA, gone, { login: 'gone-person', name: 'Jean Dupont' });
    await t.http().delete(`/rest/v2/user/${gone}`).set(bearer(tokA)).expect(200);
    await create(tokB, idOf(150), { login: 'other-person', name: 'Jean Dupont' });
    await create(tokB, idOf(151), { login: 'zq-other', name: 'Wide1' });
  }, 120_000);
  afterAll(() => t.close());

  /** What the search must answer: live users of group A whose tokens start with every word, by id. */
  function expected(search: string, desc = false): string[] {
    const words = search
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    const hits = [...tokensById].filter(([, toks]) => words.every((w) => toks.some((k) => k.startsWith(w)))).map(([id]) => id);
    hits.sort();
    return desc ? hits.reverse() : hits;
  }

  /** Every page of `limit` rows, chained by nextKeyPair.startKeyDocId, concatenated. */
  async function allPages(token: string, search: string, limit: number, desc = false): Promise<string[]> {
    const out: string[] = [];
    let start: string | undefined;
    for (let page = 0; page < 200; page++) {
      const r = await t
        .http()
        .post('/rest/v2/user/filter')
        .query({ limit, ...(start ? { startDocumentId: start } : {}) })
        .set(bearer(token))
        .send({ filter: { $type: 'UserByNameEmailPhoneFilter', searchString: search, desc } })
        .expect(200);
      const p = body<KeysetPage<NativeUserDto>>(r);
      expect(p.rows.length).toBeLessThanOrEqual(limit);
      out.push(...p.rows.map((u) => u.id));
      start = p.nextKeyPair?.startKeyDocId;
      if (!start) return out;
      expect(p.rows).toHaveLength(limit);
    }
    throw new Error('too many pages');
  }

  it.each([
    ['one key', 'dupont'],
    ['several keys of one prefix', 'dup'],
    ['accents and case folded', 'ÉMI'],
    ['two words: one drives, the other is probed', 'jean dup'],
    ['two words, either order', 'dup jean'],
    ['three words', 'jea dupo p'],
    ['a word no user has', 'nobody'],
    ['a word with more keys than are merged', 'zq'],
    ['a word with many keys, few users each', 'zq1'],
    ['a wide word and a narrow word', 'zq wide2'],
    ['two wide words', 'wide zq'],
  ])('%s (%s): every page in id order, ascending and descending', async (_name, search) => {
    for (const desc of [false, true]) {
      const want = expected(search, desc);
      for (const limit of [1, 3, 1000]) expect(await allPages(tokA, search, limit, desc)).toEqual(want);
    }
  });

  it('the expectations are not empty where they matter', () => {
    expect(expected('dup')).toHaveLength(6);
    expect(expected('jean dup')).toHaveLength(4);
    expect(expected('zq')).toHaveLength(140);
    expect(expected('zq wide2')).toHaveLength(46);
  });

  it('starts a page at startDocumentId inclusive, in either direction', async () => {
    const all = expected('dup');
    const from = all[3];
    const r = await t
      .http()
      .post('/rest/v2/user/filter')
      .query({ limit: 2, startDocumentId: from })
      .set(bearer(tokA))
      .send({ filter: { $type: 'UserByNameEmailPhoneFilter', searchString: 'dup' } })
      .expect(200);
    expect(ids(r)).toEqual(all.slice(3, 5));
    const d = await t
      .http()
      .post('/rest/v2/user/filter')
      .query({ limit: 2, startDocumentId: from })
      .set(bearer(tokA))
      .send({ filter: { $type: 'UserByNameEmailPhoneFilter', searchString: 'dup', desc: true } })
      .expect(200);
    expect(ids(d)).toEqual([all[3], all[2]]);
  });

  it('match answers the same ids; another group sees only its own users', async () => {
    for (const search of ['dup', 'jean dup', 'zq', 'zq1']) {
      const m = await t
        .http()
        .post('/rest/v2/user/match')
        .set(bearer(tokA))
        .send({ $type: 'UserByNameEmailPhoneFilter', searchString: search })
        .expect(200);
      expect(m.body).toEqual(expected(search));
    }
    const b = await allPages(tokB, 'jean dupont', 10);
    expect(b).toEqual([idOf(150)]);
    expect(await allPages(tokB, 'zq', 10)).toEqual([idOf(151)]);
    expect(await allPages(tokB, 'wide1 zq', 10)).toEqual([idOf(151)]);
  });

  it('inside a larger filter tree, the text leaf keeps its meaning', async () => {
    const r = await t
      .http()
      .post('/rest/v2/user/filter')
      .query({ limit: 1000 })
      .set(bearer(tokA))
      .send({
        filter: {
          $type: 'IntersectionFilter',
          filters: [
            { $type: 'UserByNameEmailPhoneFilter', searchString: 'dup' },
            { $type: 'UserByNameEmailPhoneFilter', searchString: 'jean' },
          ],
        },
      })
      .expect(200);
    expect(ids(r)).toEqual(expected('dup jean'));
  });
});
