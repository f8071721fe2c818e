import { expect } from '@jest/globals';
import type { KeysetPage } from '../../../src/common/pagination';
import { body } from '../../support/body';
import { bearer, createAdmin, createGroup, loginAs } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

interface Hcp {
  id: string;
  lastName?: string;
}
const page = (r: { body: unknown }) => body<KeysetPage<Hcp>>(r);

/**
 * Healthcare-party name search over HTTP: `byName` pages by (last name, id) with startKey /
 * startDocumentId, both ways; the `HealthcarePartyByNameFilter` pages by id; every word a prefix of
 * a name token; the caller's group only.
 */
describe('native healthcare-party name search', () => {
  let t: TestApp;
  let tokA: string;
  let tokB: string;
  const H = '/rest/v2/hcparty';
  /** HCPs of group A: id, last name, folded tokens of last name, first name and name. */
  const hcps: { id: string; lastName: string; tokens: string[] }[] = [];
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);

  beforeAll(async () => {
    t = await startApp();
    const a = await createGroup(t);
    const b = await createGroup(t);
    tokA = (await loginAs(t, await createAdmin(t, a))).token;
    tokB = (await loginAs(t, await createAdmin(t, b))).token;
    const people: [string, string, string][] = [
      ['s-09', 'Dupont', 'Jean'],
      ['s-02', 'Dupont', 'Jeanne'],
      ['s-07', 'Dupond', 'Marie'],
      ['s-01', 'Dupuis', 'Jean-Luc'],
      ['s-05', 'Durand', 'Jean'],
      ['s-04', 'Dupont-Dupond', 'Émile'],
      ['s-08', 'Martin', 'Jeannot'],
      ['s-03', 'Dupré', 'Paul'],
      ['s-06', 'Dupont', 'Jean'],
      ['s-10', 'Albert', 'Dupuy'],
    ];
    for (const [id, lastName, firstName] of people) {
      await t.http().post(H).set(bearer(tokA)).send({ id, lastName, firstName }).expect(200);
      hcps.push({ id, lastName, tokens: fold(`${lastName} ${firstName}`) });
    }
    await t.http().post(H).set(bearer(tokB)).send({ id: 's-b', lastName: 'Dupont', firstName: 'Jean' }).expect(200);
  });
  afterAll(() => t.close());

  const matching = (name: string) => hcps.filter((h) => fold(name).every((w) => h.tokens.some((k) => k.startsWith(w))));
  const byLastName = (name: string, desc = false) => {
    const key = (h: { lastName: string; id: string }) => `${h.lastName}\u0000${h.id}`;
    const out = matching(name).sort((x, y) => (key(x) < key(y) ? -1 : 1));
    return (desc ? out.reverse() : out).map((h) => h.id);
  };

  it.each(['dup', 'jean dup', 'dupont jean', 'DUPON', 'émi', 'jea', 'nobody', 'dup jean-luc'])(
    'byName %s: every page in (last name, id) order, both ways',
    async (name) => {
      for (const desc of [false, true]) {
        for (const limit of [1, 2, 100]) {
          const got: string[] = [];
          let next: { startKey: unknown; startKeyDocId: string } | undefined;
          for (let i = 0; i < 50; i++) {
            const q = { name, limit, desc, ...(next ? { startKey: String(next.startKey), startDocumentId: next.startKeyDocId } : {}) };
            const p = page(await t.http().get(`${H}/byName`).query(q).set(bearer(tokA)).expect(200));
            got.push(...p.rows.map((h) => h.id));
            next = p.nextKeyPair;
            if (!next) break;
          }
          expect(got).toEqual(byLastName(name, desc));
        }
      }
    },
  );

  it.each(['dup', 'jean dup', 'dupont jean', 'émi', 'nobody'])('name filter %s: every page by id, and match', async (name) => {
    const want = matching(name)
      .map((h) => h.id)
      .sort();
    for (const limit of [1, 3, 100]) {
      const got: string[] = [];
      let start: string | undefined;
      for (let i = 0; i < 50; i++) {
        const p = page(
          await t
            .http()
            .post(`${H}/filter`)
            .query({ limit, ...(start ? { startDocumentId: start } : {}) })
            .set(bearer(tokA))
            .send({ filter: { $type: 'HealthcarePartyByNameFilter', name } })
            .expect(200),
        );
        got.push(...p.rows.map((h) => h.id));
        start = p.nextKeyPair?.startKeyDocId;
        if (!start) break;
      }
      expect(got).toEqual(want);
    }
    const m = await t.http().post(`${H}/match`).set(bearer(tokA)).send({ $type: 'HealthcarePartyByNameFilter', name }).expect(200);
    expect(m.body).toEqual(want);
  });

  it('another group sees only its own HCPs', async () => {
    const p = page(await t.http().get(`${H}/byName`).query({ name: 'dupont jean' }).set(bearer(tokB)).expect(200));
    expect(p.rows.map((h) => h.id)).toEqual(['s-b']);
    const m = await t.http().post(`${H}/match`).set(bearer(tokB)).send({ $type: 'HealthcarePartyByNameFilter', name: 'dup' }).expect(200);
    expect(m.body).toEqual(['s-b']);
  });

  it('the expectations are not empty where they matter', () => {
    expect(matching('dup')).toHaveLength(8);
    expect(matching('jean dup')).toHaveLength(4);
  });
});
