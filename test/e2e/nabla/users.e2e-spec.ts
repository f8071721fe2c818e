import { expect } from '@jest/globals';
import type { NablaUserDto } from '../../../src/profiles/nabla/nabla.dto';
import { bearer, createAdmin, createGroup, createUser, loginAs, TestUser } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

const BASE = '/v1/copilot-api/server/users';

interface NablaPage {
  data: NablaUserDto[];
  has_more: boolean;
  next_cursor: string | null;
}
const asUser = (r: { body: unknown }) => r.body as NablaUserDto;
const asPage = (r: { body: unknown }) => r.body as NablaPage;
const keys = (n: number, keyLen = 5, valLen = 3) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${String(i).padStart(keyLen, 'k')}`, 'v'.repeat(valLen)]));

describe('Nabla-style users (/v1/copilot-api/server/users)', () => {
  let t: TestApp;
  let admin: TestUser;
  let plain: TestUser;
  let token: string;
  let plainToken: string;
  let otherToken: string;
  let user: NablaUserDto;

  beforeAll(async () => {
    t = await startApp();
    const g = await createGroup(t);
    admin = await createAdmin(t, g);
    plain = await createUser(t, g);
    token = (await loginAs(t, admin)).token;
    plainToken = (await loginAs(t, plain)).token;
    otherToken = (await loginAs(t, await createAdmin(t, await createGroup(t)))).token;
    user = asUser(
      await t
        .http()
        .post(BASE)
        .set(bearer(token))
        .send({ external_id: 'ext-1', metadata: { team: 'blue' } })
        .expect(201),
    );
  });
  afterAll(() => t.close());

  const patch = (body: unknown, id = user.id, tk = token) =>
    t
      .http()
      .patch(`${BASE}/${id}`)
      .set(bearer(tk))
      .send(body as object);

  it('creates and answers the document User schema', async () => {
    const r = await t.http().get(`${BASE}/${user.id}`).set(bearer(token)).expect(200);
    expect(Object.keys(asUser(r)).sort()).toEqual(['activated', 'created_at', 'email', 'external_id', 'id', 'metadata', 'roles']);
    expect(r.body).toEqual({
      id: user.id,
      activated: true,
      external_id: 'ext-1',
      metadata: { team: 'blue' },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      email: null,
      roles: ['PRACTITIONER'],
    });
  });

  it('PATCH is partial: only the given fields change; metadata is replaced whole, never merged', async () => {
    const r1 = await patch({ metadata: { a: '1', b: '2' } }).expect(200);
    expect(r1.body).toMatchObject({ external_id: 'ext-1', metadata: { a: '1', b: '2' } });
    const r2 = await patch({ metadata: { c: '3' } }).expect(200);
    expect(asUser(r2).metadata).toEqual({ c: '3' });
    const r3 = await patch({ external_id: 'ext-2' }).expect(200);
    expect(r3.body).toMatchObject({ external_id: 'ext-2', metadata: { c: '3' } });
    const r4 = await patch({ external_id: null, metadata: null }).expect(200);
    expect(r4.body).toMatchObject({ external_id: null, metadata: null });
  });

  it.each([
    ['50 keys', { metadata: keys(50) }, 200],
    ['51 keys', { metadata: keys(51) }, 400],
    ['a 40-character key', { metadata: { ['k'.repeat(40)]: 'v' } }, 200],
    ['a 41-character key', { metadata: { ['k'.repeat(41)]: 'v' } }, 400],
    ['a 500-character value', { metadata: { k: 'v'.repeat(500) } }, 200],
    ['a 501-character value', { metadata: { k: 'v'.repeat(501) } }, 400],
    ['a 256-character external_id', { external_id: 'e'.repeat(256) }, 200],
    ['a 257-character external_id', { external_id: 'e'.repeat(257) }, 400],
    ['a non-string value', { metadata: { k: 1 } }, 400],
    ['metadata as a list', { metadata: ['x'] }, 400],
    ['an unknown field', { nickname: 'x' }, 400],
  ])('%s (%j) -> %i', async (_n, body, status) => {
    const before = asUser(await t.http().get(`${BASE}/${user.id}`).set(bearer(token)));
    const r = await patch(body).expect(status);
    if (status === 400) {
      expect(r.body).toMatchObject({ code: 'VALIDATION', status: 400, field: expect.any(String), message: expect.any(String) });
      expect(asUser(await t.http().get(`${BASE}/${user.id}`).set(bearer(token)))).toEqual(before);
    }
  });

  it('names the field and the limit when a limit is broken', async () => {
    expect((await patch({ metadata: keys(51) }).expect(400)).body).toMatchObject({ field: 'metadata', limit: 50 });
    expect((await patch({ metadata: { ['k'.repeat(41)]: 'v' } }).expect(400)).body).toMatchObject({ field: 'metadata', limit: 40 });
    expect((await patch({ metadata: { k: 'v'.repeat(501) } }).expect(400)).body).toMatchObject({ field: 'metadata', limit: 500 });
    expect((await patch({ external_id: 'e'.repeat(257) }).expect(400)).body).toMatchObject({ field: 'external_id', limit: 256 });
  });

  it('external_id is unique in the group (409), not across groups', async () => {
    await patch({ external_id: 'taken-id' }).expect(200);
    const other = asUser(await t.http().post(BASE).set(bearer(token)).send({}).expect(201));
    await patch({ external_id: 'taken-id' }, other.id).expect(409);
    await t.http().post(BASE).set(bearer(otherToken)).send({ external_id: 'taken-id' }).expect(201);
  });

  it('deactivate stops the user sessions; activate restores login', async () => {
    const u = await createUser(t, admin.groupId);
    const ut = (await loginAs(t, u)).token;
    await t.http().get('/rest/v2/user/current').set(bearer(ut)).expect(200);
    const d = await t.http().post(`${BASE}/${u.user.id}/deactivate`).set(bearer(token)).expect(200);
    expect(asUser(d).activated).toBe(false);
    await t.http().get('/rest/v2/user/current').set(bearer(ut)).expect(401);
    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${u.groupId}/${u.login}`, password: u.password })
      .expect(401);
    expect(asUser(await t.http().post(`${BASE}/${u.user.id}/activate`).set(bearer(token)).expect(200)).activated).toBe(true);
    await loginAs(t, u);
  });

  it('lists with has_more and next_cursor', async () => {
    const p1 = asPage(await t.http().get(BASE).query({ limit: 2 }).set(bearer(token)).expect(200));
    expect(p1.data).toHaveLength(2);
    expect(p1.has_more).toBe(true);
    const p2 = asPage(await t.http().get(BASE).query({ limit: 2, cursor: p1.next_cursor }).set(bearer(token)).expect(200));
    expect(p2.data[0].id).not.toBe(p1.data[0].id);
    await t.http().get(BASE).query({ limit: 0 }).set(bearer(token)).expect(400);
  });

  it('401 without a token; 403 for a plain user on admin routes and on another user; 404 for another tenant; 400 for a bad id', async () => {
    await t.http().get(`${BASE}/${user.id}`).expect(401);
    await t.http().post(BASE).set(bearer(plainToken)).send({}).expect(403);
    await t.http().post(`${BASE}/${user.id}/deactivate`).set(bearer(plainToken)).expect(403);
    await patch({ external_id: 'mine' }, user.id, plainToken).expect(403);
    expect(asUser(await patch({ metadata: { self: 'ok' } }, plain.user.id, plainToken).expect(200)).metadata).toEqual({ self: 'ok' });
    await t.http().get(`${BASE}/${user.id}`).set(bearer(otherToken)).expect(404);
    await patch({ external_id: 'x' }, user.id, otherToken).expect(404);
    expect((await t.http().get(`${BASE}/not-a-uuid`).set(bearer(token)).expect(400)).body).toMatchObject({ field: 'id' });
  });

  it('accepts the document example id (upper-case UUID) shape', async () => {
    await t.http().get(`${BASE}/23A9981B-9E46-4ADB-BB0B-8E406C624540`).set(bearer(token)).expect(404);
  });
});
