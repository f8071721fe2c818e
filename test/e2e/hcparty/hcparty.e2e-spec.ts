import { expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupEntity } from '../../../src/groups/group.entity';
import { HealthcarePartyEntity } from '../../../src/healthcare-parties/healthcare-party.entity';
import { bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import type { KeysetPage } from '../../../src/common/pagination';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

/** A HealthcareParty document as the native profile answers it (the fields these tests read). */
interface Hcp {
  id: string;
  rev: string;
  lastName?: string;
  firstName?: string;
  parentId?: string;
  userId?: string;
  tags?: unknown;
}
const asHcp = (r: { body: unknown }) => body<Hcp>(r);
const asHcps = (r: { body: unknown }) => body<Hcp[]>(r);
const asHcpPage = (r: { body: unknown }) => body<KeysetPage<Hcp>>(r);

describe('native healthcare parties (/rest/v2/hcparty)', () => {
  let t: TestApp;
  let A: GroupEntity, B: GroupEntity, A1: GroupEntity;
  let adminA: string, userA: string, adminB: string, adminA1: string, root: string;
  const H = '/rest/v2/hcparty';

  beforeAll(async () => {
    t = await startApp();
    root = (await loginAsRootAdmin(t)).token;
    A = await createGroup(t);
    B = await createGroup(t);
    A1 = await createGroup(t, { parent: A });
    adminA = (await loginAs(t, await createAdmin(t, A))).token;
    userA = (await loginAs(t, await createUser(t, A))).token;
    adminB = (await loginAs(t, await createAdmin(t, B))).token;
    adminA1 = (await loginAs(t, await createAdmin(t, A1))).token;
    for (const [id, lastName, firstName, extra] of [
      [
        'h-1',
        'Dupont',
        'Émile',
        { nihii: '10012345', ssin: '85010112345', speciality: 'persphysician', nihiiSpecCode: '001', addresses: [{ postalCode: '1000' }] },
      ],
      [
        'h-2',
        'Durand',
        'Zoé',
        { nihii: '10099999', speciality: 'persphysician', nihiiSpecCode: '001', addresses: [{ postalCode: '4000' }] },
      ],
      ['h-3', 'Martin', 'Luc', { cbe: '0123456789', tags: [{ type: 'T', code: 'C' }], identifier: [{ system: 'sys', value: 'v1' }] }],
    ] as const) {
      await t
        .http()
        .post(H)
        .set(bearer(adminA))
        .send({ id, lastName, firstName, ...extra })
        .expect(200);
    }
    await t.http().post(H).set(bearer(adminB)).send({ id: 'h-b', lastName: 'Dupont', name: 'Beta clinic' }).expect(200);
  });
  afterAll(() => t.close());
  const http = () => t.http();

  it('creates with a generated id, round-trips the full document, and refuses bad input', async () => {
    const doc = {
      name: 'Clinique Saint-Luc',
      addresses: [{ addressType: 'work', street: 'Rue', postalCode: '1200', telecoms: [{ telecomType: 'email', telecomNumber: 'x@y.z' }] }],
      languages: ['fr'],
      hcPartyKeys: { k: ['a', 'b'] },
      aesExchangeKeys: { pub: { 'h-1': { fp: 'enc' } } },
      publicKey: 'abcdef',
      options: { a: 'b' },
      properties: [],
      picture: 'AAAA',
    };
    const r = await http().post(H).set(bearer(adminA)).send(doc).expect(200);
    expect(r.body).toMatchObject({ ...doc, id: expect.any(String), rev: expect.stringMatching(/^1-/), created: expect.any(Number) });
    const got = await http()
      .get(`${H}/${asHcp(r).id}`)
      .set(bearer(adminA))
      .expect(200);
    expect(got.body).toEqual(r.body);

    await http().post(H).set(bearer(adminA)).send({ firstName: 'only' }).expect(400);
    await http().post(H).set(bearer(adminA)).send({ id: 'x-rev', lastName: 'X', rev: '1-abc' }).expect(400);
    await http().post(H).set(bearer(adminA)).send({ id: 'h-1', lastName: 'X' }).expect(409);
    await http().post(H).set(bearer(adminA)).send({ id: 'bad id,with comma', lastName: 'X' }).expect(400);
    await http().post(H).set(bearer(adminA)).send({ id: 'x-grp', lastName: 'X', groupId: B.id }).expect(400);
    await http().post(H).set(bearer(adminA)).send({ id: 'x-par', lastName: 'X', parentId: 'nope' }).expect(400);
    await http().post(H).set(bearer(adminA)).set('content-type', 'application/json').send('null').expect(400);
    await http().post(H).set(bearer(userA)).send({ lastName: 'X' }).expect(403);
    await http().post(H).send({ lastName: 'X' }).expect(401);
    const ds = t.get(DataSource).getRepository(HealthcarePartyEntity);
    expect(await ds.countBy({ id: 'x-rev' })).toBe(0);
    expect(await ds.countBy({ id: 'x-grp' })).toBe(0);
    expect(await ds.countBy({ id: 'x-par' })).toBe(0);
  });

  it('get, byIds, current, children; other tenants are 404', async () => {
    await http().get(`${H}/h-1`).set(bearer(userA)).expect(200);
    await http().get(`${H}/h-b`).set(bearer(adminA)).expect(404);
    await http().get(`${H}/h-1`).expect(401);
    const many = await http()
      .get(`${H}/byIds/${encodeURIComponent('h-2,missing,h-1,h-b')}`)
      .set(bearer(adminA))
      .expect(200);
    expect(asHcps(many).map((h) => h.id)).toEqual(['h-2', 'h-1']);

    await http().get(`${H}/current`).set(bearer(userA)).expect(404);
    const linked = await createUser(t, A, { fields: { healthcarePartyId: 'h-2' } });
    const tok = (await loginAs(t, linked)).token;
    await http()
      .get(`${H}/current`)
      .set(bearer(tok))
      .expect(200)
      .expect((r) => expect(asHcp(r).id).toBe('h-2'));

    await http().post(H).set(bearer(adminA)).send({ id: 'h-kid', lastName: 'Kid', parentId: 'h-1' }).expect(200);
    const kids = await http().get(`${H}/h-1/children`).set(bearer(adminA)).expect(200);
    expect(asHcps(kids).map((h) => h.id)).toEqual(['h-kid']);
    await http().get(`${H}/h-b/children`).set(bearer(adminA)).expect(404);
  });

  it('list ordered by last name with keyset pagination; findByName folded; strict; nihii/ssin; speciality+postcode', async () => {
    const p1 = await http().get(H).query({ limit: 2 }).set(bearer(adminA)).expect(200);
    expect(asHcpPage(p1).pageSize).toBe(2);
    expect(asHcpPage(p1).rows).toHaveLength(2);
    const all = await http().get(H).set(bearer(adminA)).expect(200);
    const names = asHcpPage(all).rows.map((h) => h.lastName ?? '');
    expect([...names].sort()).toEqual(names);
    expect(asHcpPage(all).nextKeyPair).toBeUndefined();
    const p2 = await http()
      .get(H)
      .query({ limit: 2, startKey: asHcpPage(p1).nextKeyPair?.startKey, startDocumentId: asHcpPage(p1).nextKeyPair?.startKeyDocId })
      .set(bearer(adminA))
      .expect(200);
    expect(asHcpPage(p2).rows[0].id).toBe(asHcpPage(p1).nextKeyPair?.startKeyDocId);
    await http().get(H).query({ limit: 'abc' }).set(bearer(adminA)).expect(400);
    expect(asHcpPage(all).rows.map((h) => h.id)).not.toContain('h-b');

    const byName = await http().get(`${H}/byName`).query({ name: 'EMI' }).set(bearer(adminA)).expect(200);
    expect(asHcpPage(byName).rows.map((h) => h.id)).toEqual(['h-1']);
    const byName2 = await http().get(`${H}/byName`).query({ name: 'du' }).set(bearer(adminA)).expect(200);
    expect(
      asHcpPage(byName2)
        .rows.map((h) => h.id)
        .sort(),
    ).toEqual(['h-1', 'h-2']);
    const zoe = await http().get(`${H}/byName`).query({ name: 'zoe durand' }).set(bearer(adminA)).expect(200);
    expect(asHcpPage(zoe).rows.map((h) => h.id)).toEqual(['h-2']);

    const strict = await http()
      .get(`${H}/byNameStrict/${encodeURIComponent('Beta clinic')}`)
      .set(bearer(adminB))
      .expect(200);
    expect(asHcps(strict).map((h) => h.id)).toEqual(['h-b']);
    await http()
      .get(`${H}/byNameStrict/${encodeURIComponent('Beta clinic')}`)
      .set(bearer(adminA))
      .expect(200, []);

    const nihii = await http().get(`${H}/byNihiiOrSsin/100`).set(bearer(adminA)).expect(200);
    expect(asHcpPage(nihii).rows.map((h) => h.id)).toEqual(['h-1', 'h-2']);
    const ssin = await http().get(`${H}/byNihiiOrSsin/8501`).set(bearer(adminA)).expect(200);
    expect(asHcpPage(ssin).rows.map((h) => h.id)).toEqual(['h-1']);
    const cbe = await http().get(`${H}/byNihiiOrSsin/0123`).set(bearer(adminA)).expect(200);
    expect(asHcpPage(cbe).rows.map((h) => h.id)).toEqual(['h-3']);

    const sp = await http().get(`${H}/bySpecialityAndPostCode/persphysician/001/0999/to/1999`).set(bearer(adminA)).expect(200);
    expect(asHcpPage(sp).rows.map((h) => h.id)).toEqual(['h-1']);
  });

  it('filter and match with the HCP $type filters; unknown $type is 400', async () => {
    const m = (f: object) => http().post(`${H}/match`).set(bearer(adminA)).send(f);
    expect((await m({ $type: 'HealthcarePartyByIdsFilter', ids: ['h-1', 'h-b'] }).expect(200)).body).toEqual(['h-1']);
    expect((await m({ $type: 'HealthcarePartyByNameFilter', name: 'martin' }).expect(200)).body).toEqual(['h-3']);
    expect((await m({ $type: 'HealthcarePartyByTagCodeFilter', tagType: 'T', tagCode: 'C' }).expect(200)).body).toEqual(['h-3']);
    expect(
      (await m({ $type: 'HealthcarePartyByIdentifiersFilter', identifiers: [{ system: 'sys', value: 'v1' }] }).expect(200)).body,
    ).toEqual(['h-3']);
    expect(
      (
        await m({
          $type: 'UnionFilter',
          filters: [
            { $type: 'HealthcarePartyByIdsFilter', ids: ['h-1'] },
            { $type: 'HealthcarePartyByIdsFilter', ids: ['h-2'] },
          ],
        }).expect(200)
      ).body,
    ).toEqual(['h-1', 'h-2']);
    expect(
      (
        await m({
          $type: 'IntersectionFilter',
          filters: [{ $type: 'AllHealthcarePartiesFilter' }, { $type: 'HealthcarePartyByIdsFilter', ids: ['h-2'] }],
        }).expect(200)
      ).body,
    ).toEqual(['h-2']);
    const all = (await m({ $type: 'AllHealthcarePartiesFilter' }).expect(200)).body as string[];
    expect(
      (
        await m({
          $type: 'ComplementFilter',
          superSet: { $type: 'AllHealthcarePartiesFilter' },
          subSet: { $type: 'HealthcarePartyByIdsFilter', ids: ['h-1'] },
        }).expect(200)
      ).body,
    ).toEqual(all.filter((i) => i !== 'h-1'));
    await m({ $type: 'NopeFilter' }).expect(400);
    await m({ ids: [] }).expect(400);

    const f = await http()
      .post(`${H}/filter`)
      .query({ limit: 1 })
      .set(bearer(adminA))
      .send({ $type: 'FilterChain', filter: { $type: 'HealthcarePartyByIdsFilter', ids: ['h-1', 'h-2'] } })
      .expect(200);
    expect(asHcpPage(f).rows.map((h) => h.id)).toEqual(['h-1']);
    expect(asHcpPage(f).nextKeyPair?.startKeyDocId).toBe('h-2');
    await http()
      .post(`${H}/filter`)
      .set(bearer(adminA))
      .send({ filter: { $type: 'Bad' } })
      .expect(400);
    await http()
      .post(`${H}/filter`)
      .send({ filter: { $type: 'AllHealthcarePartiesFilter' } })
      .expect(401);
  });

  it('modify with rev: stale 409, missing 404, non-admin only its own HCP, circular parent 422', async () => {
    const cur = asHcp(await http().get(`${H}/h-3`).set(bearer(adminA)).expect(200));
    const up = await http()
      .put(H)
      .set(bearer(adminA))
      .send({ ...cur, firstName: 'Lucas' })
      .expect(200);
    expect(asHcp(up).firstName).toBe('Lucas');
    expect(asHcp(up).tags).toEqual(cur.tags);
    await http()
      .put(H)
      .set(bearer(adminA))
      .send({ ...cur, firstName: 'stale' })
      .expect(409);
    await http().put(H).set(bearer(adminA)).send({ id: 'nope', rev: '1-a', lastName: 'X' }).expect(404);
    await http().put(H).set(bearer(adminA)).send({ id: 'h-3', lastName: 'X' }).expect(400);
    await http()
      .put(H)
      .set(bearer(adminA))
      .send({ ...up.body, lastName: undefined, firstName: 'x' })
      .expect(400);
    await http()
      .put(H)
      .set(bearer(userA))
      .send({ ...up.body, firstName: 'x' })
      .expect(403);
    await http()
      .put(H)
      .set(bearer(adminB))
      .send({ ...up.body, firstName: 'x' })
      .expect(404);

    await http().post(H).set(bearer(adminA)).send({ id: 'c-1', lastName: 'C1' }).expect(200);
    await http().post(H).set(bearer(adminA)).send({ id: 'c-2', lastName: 'C2', parentId: 'c-1' }).expect(200);
    const c1 = asHcp(await http().get(`${H}/c-1`).set(bearer(adminA)));
    await http()
      .put(H)
      .set(bearer(adminA))
      .send({ ...c1, parentId: 'c-2' })
      .expect(422);
    await http()
      .put(H)
      .set(bearer(adminA))
      .send({ ...c1, parentId: 'c-1' })
      .expect(422);
    expect(asHcp(await http().get(`${H}/c-1`).set(bearer(adminA))).parentId).toBeUndefined();

    const own = await createUser(t, A, { fields: { healthcarePartyId: 'c-2' } });
    const tok = (await loginAs(t, own)).token;
    const c2 = asHcp(await http().get(`${H}/c-2`).set(bearer(tok)));
    const mine = await http()
      .put(H)
      .set(bearer(tok))
      .send({ ...c2, firstName: 'me' })
      .expect(200);
    await http()
      .put(H)
      .set(bearer(tok))
      .send({ ...mine.body, userId: 'someone-else' })
      .expect(403);
    await http()
      .put(H)
      .set(bearer(tok))
      .send({ ...mine.body, parentId: undefined })
      .expect(403);
  });

  it('delete several ids: DocIdentifier list, admin only, other tenant 404', async () => {
    await http().post(H).set(bearer(adminA)).send({ id: 'd-1', lastName: 'D' }).expect(200);
    await http().post(H).set(bearer(adminA)).send({ id: 'd-2', lastName: 'D' }).expect(200);
    await http().delete(`${H}/d-1,d-2`).set(bearer(userA)).expect(403);
    await http().delete(`${H}/h-b`).set(bearer(adminA)).expect(404);
    await http().delete(`${H}/d-1`).expect(401);
    const r = await http().delete(`${H}/d-1,missing,d-2`).set(bearer(adminA)).expect(200);
    expect(r.body).toEqual([
      { id: 'd-1', rev: expect.stringMatching(/^2-/) },
      { id: 'd-2', rev: expect.stringMatching(/^2-/) },
    ]);
    await http().get(`${H}/d-1`).set(bearer(adminA)).expect(404);
    await http().get(`${H}/h-b`).set(bearer(adminB)).expect(200);
  });

  it('publicKey, keys, aesExchangeKeys', async () => {
    await http()
      .post(H)
      .set(bearer(adminA))
      .send({
        id: 'k-1',
        lastName: 'K',
        publicKey: '00ff',
        hcPartyKeys: { 'h-1': ['a', 'b'] },
        aesExchangeKeys: { pk1: { 'h-1': { fp: 'enc' } } },
      })
      .expect(200);
    await http().get(`${H}/k-1/publicKey`).set(bearer(userA)).expect(200, { hcPartyId: 'k-1', hexString: '00ff' });
    await http().get(`${H}/h-1/publicKey`).set(bearer(userA)).expect(404);
    await http().get(`${H}/h-1/keys`).set(bearer(userA)).expect(200, { 'k-1': 'b' });
    const aes = await http().get(`${H}/h-1/aesExchangeKeys`).set(bearer(userA)).expect(200);
    expect(body<Record<string, unknown>>(aes)['k-1']).toEqual({ pk1: { fp: 'enc' } });
    await http().get(`${H}/h-b/keys`).set(bearer(adminA)).expect(404);
    await http().get(`${H}/h-b/aesExchangeKeys`).set(bearer(adminA)).expect(404);
  });

  it('inGroup variants: administrators of the group or an ancestor; others 403; unknown group 404', async () => {
    const c = await http().post(`${H}/inGroup/${A1.id}`).set(bearer(adminA)).send({ id: 'ig-1', lastName: 'Ig' }).expect(200);
    await http().get(`${H}/ig-1`).set(bearer(adminA1)).expect(200);
    const byIds = await http()
      .post(`${H}/inGroup/${A1.id}/byIds`)
      .set(bearer(adminA))
      .send({ ids: ['ig-1', 'h-1'] })
      .expect(200);
    expect(asHcps(byIds).map((h) => h.id)).toEqual(['ig-1']);
    await http()
      .put(`${H}/inGroup/${A1.id}`)
      .set(bearer(adminA))
      .send({ ...c.body, firstName: 'F' })
      .expect(200);
    await http().post(`${H}/inGroup/${A.id}`).set(bearer(adminA1)).send({ lastName: 'X' }).expect(403);
    await http().post(`${H}/inGroup/${B.id}`).set(bearer(adminA)).send({ lastName: 'X' }).expect(403);
    await http().post(`${H}/inGroup/${A1.id}`).set(bearer(userA)).send({ lastName: 'X' }).expect(403);
    await http().post(`${H}/inGroup/nope`).set(bearer(adminA)).send({ lastName: 'X' }).expect(404);
    await http().post(`${H}/inGroup/${A1.id}/byIds`).set(bearer(adminA)).send({ ids: 'x' }).expect(400);
    await http().post(`${H}/inGroup/${A1.id}`).set(bearer(adminA)).send({ lastName: 'X', groupId: A.id }).expect(400);
    await http().delete(`${H}/inGroup/${B.id}/h-b`).set(bearer(adminA)).expect(403);
    await http().delete(`${H}/inGroup/${A1.id}/ig-1`).set(bearer(adminA)).expect(200);
    await http().post(`${H}/inGroup/${A1.id}`).send({ lastName: 'X' }).expect(401);
    await http().post(`${H}/inGroup/${B.id}`).set(bearer(root)).send({ id: 'from-root', lastName: 'R' }).expect(200);
  });

  it('register in a group: HCP + linked user + login token', async () => {
    const r = await http()
      .post(`${H}/register/inGroup/${A1.id}`)
      .query({ parentHcPartyId: undefined, useShortToken: 'false' })
      .set(bearer(adminA))
      .send({ lastName: 'Reg', firstName: 'Ina', addresses: [{ telecoms: [{ telecomType: 'email', telecomNumber: 'Ina@Example.com' }] }] })
      .expect(200);
    expect(r.body).toEqual({ userLogin: 'ina@example.com', userId: expect.any(String), token: expect.any(String) });
    const registered = body<{ userId: string; token: string }>(r);
    const login = await http()
      .post('/rest/v2/auth/login')
      .send({ username: `${A1.id}/ina@example.com`, password: registered.token })
      .expect(200);
    const hcp = await http()
      .get(`${H}/current`)
      .set(bearer(body<{ token: string }>(login).token))
      .expect(200);
    expect(hcp.body).toMatchObject({ lastName: 'Reg', userId: registered.userId });
    const short = await http()
      .post(`${H}/register/inGroup/${A1.id}`)
      .query({ useShortToken: 'true' })
      .set(bearer(adminA))
      .send({ lastName: 'Short' })
      .expect(200);
    expect(body<{ token: string }>(short).token).toMatch(/^\d{6}$/);
    await http().post(`${H}/register/inGroup/${B.id}`).set(bearer(adminA)).send({ lastName: 'X' }).expect(403);
    // Same email again: the user collides (409) and the HCP is not left behind.
    await http()
      .post(`${H}/register/inGroup/${A1.id}`)
      .set(bearer(adminA))
      .send({ id: 'reg-dup', lastName: 'Dup', addresses: [{ telecoms: [{ telecomType: 'email', telecomNumber: 'ina@example.com' }] }] })
      .expect(409);
    await http().get(`${H}/reg-dup`).set(bearer(adminA1)).expect(404);
    await http().post(`${H}/register/inGroup/${A1.id}`).set(bearer(adminA)).send({ firstName: 'X' }).expect(400);
    await http().post(`${H}/register/inGroup/${A1.id}`).send({ lastName: 'X' }).expect(401);
  });
});
