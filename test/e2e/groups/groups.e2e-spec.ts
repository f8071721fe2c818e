import { expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { GroupEntity } from '../../../src/groups/group.entity';
import { UserEntity } from '../../../src/users/user.entity';
import { HealthcarePartyEntity } from '../../../src/healthcare-parties/healthcare-party.entity';
import { bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin, uniq } from '../../support/fixtures';
import type { KeysetPage } from '../../../src/common/pagination';
import type { PropertyValue } from '../../../src/groups/group.model';
import type { GroupDto } from '../../../src/profiles/native/groups/group.dto';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

type Group = GroupDto & { properties: PropertyValue[]; password?: unknown };
const group = (r: { body: unknown }) => body<Group>(r);
const groupPage = (r: { body: unknown }) => body<KeysetPage<Group>>(r);
const message = (r: { body: unknown }) => body<{ message: string }>(r).message;

describe('native groups (/rest/v2/group)', () => {
  let t: TestApp;
  let root: string;
  let A: GroupEntity, B: GroupEntity, A1: GroupEntity;
  let adminA: string, userA: string, adminA1: string;

  beforeAll(async () => {
    t = await startApp({ env: { CAREGATE_PROPERTIES_MAX: '3' } });
    root = (await loginAsRootAdmin(t)).token;
    A = await createGroup(t, { name: 'Alpha' });
    B = await createGroup(t, { name: 'Beta' });
    A1 = await createGroup(t, { parent: A, name: 'Alpha one' });
    adminA = (await loginAs(t, await createAdmin(t, A))).token;
    userA = (await loginAs(t, await createUser(t, A))).token;
    adminA1 = (await loginAs(t, await createAdmin(t, A1))).token;
    await loginAs(t, await createAdmin(t, B));
  });
  afterAll(() => t.close());

  const http = () => t.http();

  it('root admin creates a group (SDK Group shape, no password), under a superGroup, and with seeded users and HCPs', async () => {
    const id = uniq('new');
    const res = await http()
      .post(`/rest/v2/group/${id}`)
      .query({ name: 'New one' })
      .set(bearer(root))
      .set('password', 'secret-pw')
      .set('content-type', 'application/json')
      .send('null')
      .expect(200);
    expect(res.body).toMatchObject({ id, name: 'New one', superGroup: 'root', superAdmin: false, properties: [], tags: [] });
    expect(group(res).rev).toMatch(/^1-/);
    expect(JSON.stringify(res.body)).not.toContain('secret-pw');
    expect(group(res).password).toBeUndefined();

    const child = uniq('child');
    await http()
      .post(`/rest/v2/group/${child}`)
      .query({ name: 'Child', superGroup: A.id })
      .set(bearer(root))
      .expect(200)
      .expect((r) => expect(group(r).superGroup).toBe(A.id));

    const seeded = uniq('seed');
    await http()
      .post(`/rest/v2/group/${seeded}`)
      .query({ name: 'Seeded' })
      .set(bearer(root))
      .send({
        users: [{ login: 'seed-admin', password: 'a-long-enough-test-password', roles: ['ADMINISTRATOR'] }],
        healthcareParties: [{ id: 'hcp-seed', lastName: 'Seed' }],
      })
      .expect(200);
    const login = await loginAs(t, { login: 'seed-admin', password: 'a-long-enough-test-password', groupId: seeded });
    await http()
      .get('/rest/v2/hcparty/hcp-seed')
      .set(bearer(login.token))
      .expect(200)
      .expect((r) => expect(body<{ lastName: string }>(r).lastName).toBe('Seed'));
  });

  it('create: bad id, missing name, existing id, bad seed -> 4xx and nothing written', async () => {
    await http().post('/rest/v2/group/bad%20id!').query({ name: 'x' }).set(bearer(root)).expect(400);
    await http().post('/rest/v2/group/apps').query({ name: 'x' }).set(bearer(root)).expect(400);
    await http()
      .post(`/rest/v2/group/${'x'.repeat(65)}`)
      .query({ name: 'x' })
      .set(bearer(root))
      .expect(400);
    await http()
      .post(`/rest/v2/group/${uniq('n')}`)
      .set(bearer(root))
      .expect(400);
    await http().post(`/rest/v2/group/${A.id}`).query({ name: 'dup' }).set(bearer(root)).expect(409);
    const id = uniq('bad');
    await http()
      .post(`/rest/v2/group/${id}`)
      .query({ name: 'x' })
      .set(bearer(root))
      .send({ users: [{ login: 'x', groupId: B.id }] })
      .expect(400);
    await http()
      .post(`/rest/v2/group/${id}`)
      .query({ name: 'x' })
      .set(bearer(root))
      .send({ healthcareParties: [{ firstName: 'no required field' }] })
      .expect(400);
    await http().get(`/rest/v2/group/${id}`).set(bearer(root)).expect(404);
    const ds = t.get(DataSource);
    expect(await ds.getRepository(GroupEntity).countBy({ id })).toBe(0);
    expect(await ds.getRepository(UserEntity).countBy({ groupId: id })).toBe(0);
    expect(await ds.getRepository(HealthcarePartyEntity).countBy({ groupId: id })).toBe(0);
  });

  it('create: 401 anonymous, 403 for plain users and admins of a non-superAdmin group, superGroup outside the subtree 404, no escalation', async () => {
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x' })
      .expect(401);
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x' })
      .set(bearer(userA))
      .expect(403);
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x' })
      .set(bearer(adminA))
      .expect(403);
    const sa = await createGroup(t, { superAdmin: true });
    const saAdmin = (await loginAs(t, await createAdmin(t, sa))).token;
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x' })
      .set(bearer(saAdmin))
      .expect(200)
      .expect((r) => expect(group(r).superGroup).toBe(sa.id));
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x', superGroup: B.id })
      .set(bearer(saAdmin))
      .expect(404);
    await http()
      .post(`/rest/v2/group/${uniq('x')}`)
      .query({ name: 'x' })
      .set(bearer(saAdmin))
      .send({ users: [{ login: 'boss', roles: ['SUPERUSER'] }] })
      .expect(403);
  });

  it('get / list / children / search / parent name follow the subtree; other tenants are 404', async () => {
    await http()
      .get(`/rest/v2/group/${A1.id}`)
      .set(bearer(adminA))
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ id: A1.id, superGroup: A.id }));
    await http().get(`/rest/v2/group/${A.id}`).set(bearer(userA)).expect(200);
    await http().get(`/rest/v2/group/${B.id}`).set(bearer(adminA)).expect(404);
    await http().get(`/rest/v2/group/${A.id}`).set(bearer(adminA1)).expect(404);
    await http().get(`/rest/v2/group/${A.id}`).expect(401);
    const list = await http().get('/rest/v2/group').set(bearer(adminA)).expect(200);
    expect(body<Group[]>(list).map((g) => g.id)).toContain(A1.id);
    expect(body<Group[]>(list).every((g) => g.superGroup === A.id)).toBe(true);
    // One page at a time, still the contract's bare array: limit and startDocumentId walk it by id.
    const rootKids = body<Group[]>(await http().get('/rest/v2/group').set(bearer(root)).expect(200)).map((g) => g.id);
    expect(rootKids.length).toBeGreaterThan(1);
    const firstOne = await http().get('/rest/v2/group').query({ limit: 1 }).set(bearer(root)).expect(200);
    expect(body<Group[]>(firstOne).map((g) => g.id)).toEqual(rootKids.slice(0, 1));
    const fromSecond = await http().get('/rest/v2/group').query({ limit: 1, startDocumentId: rootKids[1] }).set(bearer(root)).expect(200);
    expect(body<Group[]>(fromSecond).map((g) => g.id)).toEqual([rootKids[1]]);
    await http().get('/rest/v2/group').query({ limit: 0 }).set(bearer(root)).expect(400);

    const kids = await http().get(`/rest/v2/group/root/children`).query({ limit: 1 }).set(bearer(root)).expect(200);
    expect(groupPage(kids).rows).toHaveLength(1);
    expect(groupPage(kids).pageSize).toBe(1);
    expect(groupPage(kids).nextKeyPair?.startKeyDocId).toEqual(expect.any(String));
    const next = await http()
      .get(`/rest/v2/group/root/children`)
      .query({ limit: 1, startDocumentId: groupPage(kids).nextKeyPair?.startKeyDocId })
      .set(bearer(root))
      .expect(200);
    expect(groupPage(next).rows[0].id).toBe(groupPage(kids).nextKeyPair?.startKeyDocId);
    await http().get(`/rest/v2/group/root/children`).query({ limit: 0 }).set(bearer(root)).expect(400);
    await http().get(`/rest/v2/group/${B.id}/children`).set(bearer(adminA)).expect(404);

    const found = await http().get(`/rest/v2/group/root/children/search`).query({ searchString: 'alph' }).set(bearer(root)).expect(200);
    expect(groupPage(found).rows.map((g) => g.id)).toEqual([A.id]);
    await http().get(`/rest/v2/group/${B.id}/children/search`).query({ searchString: 'x' }).set(bearer(adminA)).expect(404);

    const pn = await http().get(`/rest/v2/group/${A1.id}/parent/name`).set(bearer(adminA)).expect(200);
    expect(pn.headers['content-type']).toMatch(/text\/plain/);
    expect(pn.text).toBe('Alpha');
    await http().get('/rest/v2/group/root/parent/name').set(bearer(root)).expect(404);
    await http().get(`/rest/v2/group/${B.id}/parent/name`).set(bearer(adminA)).expect(404);
  });

  it('rename and properties: administrators of the group or an ancestor; limits; other tenants 404', async () => {
    const r = await http()
      .put(`/rest/v2/group/${A1.id}/name/Renamed`)
      .set(bearer(adminA))
      .set('content-type', 'application/json')
      .send('null')
      .expect(200);
    expect(r.body).toMatchObject({ id: A1.id, name: 'Renamed' });
    expect(group(r).rev).toMatch(/^2-/);
    await http().put(`/rest/v2/group/${A1.id}/name/Mine`).set(bearer(adminA1)).expect(200);
    await http().put(`/rest/v2/group/${A.id}/name/Nope`).set(bearer(adminA1)).expect(404);
    await http().put(`/rest/v2/group/${A.id}/name/Nope`).set(bearer(userA)).expect(403);
    await http().put(`/rest/v2/group/${B.id}/name/Nope`).set(bearer(adminA)).expect(404);
    await http().put(`/rest/v2/group/${A.id}/name/Nope`).expect(401);

    const prop = (id: string, v: string) => ({ type: { identifier: id, type: 'STRING' }, typedValue: { type: 'STRING', stringValue: v } });
    const p = await http()
      .put(`/rest/v2/group/${A.id}/properties`)
      .set(bearer(adminA))
      .send({ properties: [prop('a', '1'), prop('b', '2')] })
      .expect(200);
    expect(group(p).properties).toHaveLength(2);
    const p2 = await http()
      .put(`/rest/v2/group/${A.id}/properties`)
      .set(bearer(adminA))
      .send({ properties: [prop('a', '9')] })
      .expect(200);
    expect(group(p2).properties).toHaveLength(2);
    expect(group(p2).properties[0].typedValue?.stringValue).toBe('9');
    await http()
      .put(`/rest/v2/group/${A.id}/properties`)
      .set(bearer(adminA))
      .send({ properties: [prop('c', '1'), prop('d', '1')] })
      .expect(400);
    await http()
      .put(`/rest/v2/group/${A.id}/properties`)
      .set(bearer(adminA))
      .send({ properties: [prop('c', 'x'.repeat(20000))] })
      // One property rule for users and groups: an oversized value is 413, as on user properties.
      .expect(413);
    await http()
      .put(`/rest/v2/group/${A.id}/properties`)
      .set(bearer(adminA))
      .send({ properties: [{ typedValue: {} }] })
      .expect(400);
    await http().put(`/rest/v2/group/${A.id}/properties`).set(bearer(adminA)).send({ nope: [] }).expect(400);
    const after = await http().get(`/rest/v2/group/${A.id}`).set(bearer(adminA)).expect(200);
    expect(group(after).properties).toHaveLength(2);
    await http().put(`/rest/v2/group/${A.id}/properties`).set(bearer(userA)).send({ properties: [] }).expect(403);
    await http().put(`/rest/v2/group/${B.id}/properties`).set(bearer(adminA)).send({ properties: [] }).expect(404);
  });

  it('move: inside the subtree only; a group cannot become its own ancestor (422)', async () => {
    const X = await createGroup(t, { parent: A });
    const X1 = await createGroup(t, { parent: X });
    await http().put(`/rest/v2/group/${X.id}/parent/${X1.id}`).set(bearer(adminA)).expect(422);
    await http().put(`/rest/v2/group/${X.id}/parent/${B.id}`).set(bearer(adminA)).expect(404);
    await http()
      .put(`/rest/v2/group/${X1.id}/parent/${A1.id}`)
      .set(bearer(adminA))
      .expect(200)
      .expect((r) => expect(group(r).superGroup).toBe(A1.id));
    await http().get(`/rest/v2/group/${X1.id}`).set(bearer(adminA1)).expect(200);
    await http().put(`/rest/v2/group/${A.id}/parent/${B.id}`).set(bearer(adminA)).expect(403);
  });

  it('move carries the whole subtree: descendants follow, siblings sharing an id prefix stay', async () => {
    const M = await createGroup(t, { parent: A });
    const M1 = await createGroup(t, { parent: M });
    const M11 = await createGroup(t, { parent: M1 });
    // Same id prefix as M: a path range that is too wide would move it too.
    const twin = await createGroup(t, { parent: A, id: `${M.id}x` });
    await http().put(`/rest/v2/group/${M.id}/parent/${A1.id}`).set(bearer(adminA)).expect(200);
    // Visibility follows `path`: the admin of A1 now sees the moved group's grandchild, not the twin.
    await http().get(`/rest/v2/group/${M11.id}`).set(bearer(adminA1)).expect(200);
    await http().get(`/rest/v2/group/${M1.id}`).set(bearer(adminA1)).expect(200);
    await http().get(`/rest/v2/group/${twin.id}`).set(bearer(adminA1)).expect(404);
    await http().get(`/rest/v2/group/${twin.id}`).set(bearer(adminA)).expect(200);
  });

  it('soft delete and hard delete: administrators of an ancestor only; hard delete purges the subtree', async () => {
    const D = await createGroup(t, { parent: A });
    const D1 = await createGroup(t, { parent: D });
    const u = await createUser(t, D1);
    const uTok = (await loginAs(t, u)).token;
    await http().delete(`/rest/v2/group/${D.id}`).set(bearer(userA)).expect(403);
    await http().delete(`/rest/v2/group/${A.id}`).set(bearer(adminA)).expect(403);
    await http().delete(`/rest/v2/group/${B.id}`).set(bearer(adminA)).expect(404);
    await http().delete(`/rest/v2/group/hard/${B.id}`).set(bearer(adminA)).expect(404);
    await http().delete(`/rest/v2/group/hard/${D.id}`).expect(401);
    await http().delete(`/rest/v2/group/hard/${D.id}`).set(bearer(userA)).expect(403);

    const report = await http().delete(`/rest/v2/group/hard/${D.id}`).set(bearer(adminA)).expect(200);
    expect(
      body<{ id: string; type: string }[]>(report)
        .map((r) => r.id)
        .sort(),
    ).toEqual([D.id, D1.id].sort());
    expect(body<{ type: string }[]>(report)[0]).toMatchObject({ type: 'group' });
    await http().get('/rest/v2/user/current').set(bearer(uTok)).expect(401);
    const ds = t.get(DataSource);
    expect(await ds.getRepository(UserEntity).countBy({ groupId: D1.id })).toBe(0);
    expect(await ds.getRepository(GroupEntity).countBy({ id: D1.id })).toBe(0);

    const S = await createGroup(t, { parent: A });
    const S1 = await createGroup(t, { parent: S });
    const s1User = await createUser(t, S1);
    const s1Login = await loginAs(t, s1User);
    const del = await http().delete(`/rest/v2/group/${S.id}`).set(bearer(adminA)).expect(200);
    expect(group(del).deletionDate).toEqual(expect.any(Number));
    await http().get(`/rest/v2/group/${S.id}`).set(bearer(adminA)).expect(404);
    await http().get(`/rest/v2/group/${S1.id}`).set(bearer(adminA)).expect(404);
    await http().get('/rest/v2/user/current').set(bearer(s1Login.token)).expect(401);
    await http()
      .post('/rest/v2/auth/login')
      .send({ username: `${S1.id}/${s1User.login}`, password: s1User.password })
      .expect(401);
    await http().post(`/rest/v2/group/${S.id}`).query({ name: 'again' }).set(bearer(root)).expect(409);
  });

  it('CouchDB routes answer 501 with a clear message; apps is []', async () => {
    await http().get('/rest/v2/group/apps').set(bearer(root)).expect(200, []);
    const r = await http().post('/rest/v2/group/storage/info').set(bearer(root)).send({ ids: [] }).expect(501);
    expect(message(r)).toMatch(/CouchDB/);
    await http().put(`/rest/v2/group/${A.id}/password`).set(bearer(root)).set('password', 'x').expect(501);
    await http().get(`/rest/v2/group/${A.id}/r`).set(bearer(root)).expect(501);
    await http().put(`/rest/v2/group/${A.id}/dd`).set(bearer(root)).expect(501);
    await http().post(`/rest/v2/group/${A.id}/reset/storage`).set(bearer(root)).send({ ids: [] }).expect(501);
    await http().post(`/rest/v2/group/${A.id}/conflicts`).set(bearer(root)).expect(501);
    await http().get(`/rest/v2/group/${B.id}/r`).set(bearer(adminA)).expect(404);
  });

  it('trial registration is 404 when CAREGATE_TRIAL_REGISTRATION is off', async () => {
    const r = await http().post('/rest/v2/group/register/trial').send({ emailAddress: 'x@example.com' }).expect(404);
    expect(message(r)).toMatch(/disabled/);
    await http().post('/rest/v2/group/register/trial').send({ bogus: 1 }).expect(404);
  });
});

describe('trial registration enabled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { CAREGATE_TRIAL_REGISTRATION: 'true' } });
  });
  afterAll(() => t.close());

  it('creates a group, its administrator and a login token', async () => {
    const r = await t
      .http()
      .post('/rest/v2/group/register/trial')
      .send({ firstName: 'Ada', lastName: 'L', emailAddress: 'Ada@Example.com' })
      .expect(200);
    expect(r.body).toEqual({ groupId: expect.any(String), userId: expect.any(String), token: expect.any(String) });
    const trial = body<{ groupId: string; token: string }>(r);
    const login = await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${trial.groupId}/ada@example.com`, password: trial.token })
      .expect(200);
    const token = body<{ token: string }>(login).token;
    const me = await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    expect(body<NativeUserDto>(me).roles).toEqual(['ADMINISTRATOR']);
    await t
      .http()
      .get(`/rest/v2/group/${trial.groupId}`)
      .set(bearer(token))
      .expect(200)
      .expect((g) => expect(group(g).name).toBe('Ada L'));
    await t.http().post('/rest/v2/group/register/trial').send({ emailAddress: 'not-an-email' }).expect(400);
    await t.http().post('/rest/v2/group/register/trial').send({ emailAddress: 'b@example.com', isAdmin: true }).expect(400);
    await t.http().post('/rest/v2/group/register/trial').set('content-type', 'application/json').send('null').expect(400);
  });
});
