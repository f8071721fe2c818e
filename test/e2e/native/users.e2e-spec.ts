import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { basic, bearer, createAdmin, createGroup, createUser, loginAs, TestUser, uniq } from '../../support/fixtures';
import type { KeysetPage } from '../../../src/common/pagination';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

type User = NativeUserDto & { secret?: unknown };
const user = (r: { body: unknown }) => body<User>(r);
const userPage = (r: { body: unknown }) => body<KeysetPage<User>>(r);

describe('native users (/rest/v2/user)', () => {
  let t: TestApp;
  let adminA: TestUser;
  let userA: TestUser;
  let adminB: TestUser;
  let userB: TestUser;
  let tok: Record<'adminA' | 'userA' | 'adminB' | 'userB', string>;
  const as = (token: string) => bearer(token);

  beforeAll(async () => {
    t = await startApp();
    const a = await createGroup(t);
    const b = await createGroup(t);
    adminA = await createAdmin(t, a, { email: `${uniq('adm')}@a.example` });
    userA = await createUser(t, a, { email: `${uniq('usr')}@a.example` });
    adminB = await createAdmin(t, b);
    userB = await createUser(t, b, { fields: { healthcarePartyId: 'hcp-b', patientId: 'pat-b' } });
    tok = {
      adminA: (await loginAs(t, adminA)).token,
      userA: (await loginAs(t, userA)).token,
      adminB: (await loginAs(t, adminB)).token,
      userB: (await loginAs(t, userB)).token,
    };
  });
  afterAll(() => t.close());

  async function countUsers(token: string): Promise<number> {
    const r = await t.http().get('/rest/v2/user').query({ skipPatients: false }).set(as(token)).expect(200);
    return userPage(r).rows.length;
  }

  describe('POST /user (create)', () => {
    it('creates with login defaulting to email, generated id, hashed password shown as "*"', async () => {
      const email = `${uniq('new')}@a.example`;
      const r = await t
        .http()
        .post('/rest/v2/user')
        .set(as(tok.adminA))
        .send({ email, passwordHash: 'a brand new password', name: 'New One' })
        .expect(200);
      expect(r.body).toMatchObject({
        login: email,
        email,
        name: 'New One',
        passwordHash: '*',
        status: 'ACTIVE',
        applicationTokens: {},
        roles: [],
      });
      expect(user(r).id).toMatch(/^[0-9a-f-]{36}$/);
      expect(user(r).rev).toMatch(/^1-/);
      expect(typeof user(r).created).toBe('number');
      await t.http().post('/rest/v2/auth/login').send({ username: email, password: 'a brand new password' }).expect(200);
    });

    it('falls back to the mobile phone as login; keeps a client id', async () => {
      const id = '6f2b8d3e-1c2a-4b5d-9e8f-0a1b2c3d4e5f';
      const r = await t.http().post('/rest/v2/user').set(as(tok.adminA)).send({ id, mobilePhone: '+3247000111' }).expect(200);
      expect(r.body).toMatchObject({ id, login: '+3247000111' });
    });

    it('ignores roles, permissions and its own groupId from a non-admin; another group is 400', async () => {
      const r = await t
        .http()
        .post('/rest/v2/user')
        .set(as(tok.userA))
        .send({ login: uniq('self'), roles: ['ADMINISTRATOR'], permissions: [{ grants: [{ type: 'ADMIN' }] }], groupId: userA.groupId })
        .expect(200);
      expect(r.body).toMatchObject({ roles: [], permissions: [], groupId: userA.groupId });
      await t
        .http()
        .post('/rest/v2/user')
        .set(as(tok.userA))
        .send({ login: uniq('planted'), groupId: adminB.groupId })
        .expect(400);
    });

    it.each([
      ['no login, email nor phone', { name: 'x' }, 400],
      ['a null login and nothing else', { login: null, email: null }, 400],
      ['a short password', { login: 'shorty', passwordHash: 'short' }, 400],
      ['a common password', { login: 'commoner', passwordHash: 'password1234' }, 400],
      ['an unknown field', { login: 'u1', nope: true }, 400],
      ['a wrong type', { login: 12 }, 400],
      ['a bad status', { login: 'u2', status: 'SLEEPING' }, 400],
      ['use2fa without a secret', { login: 'u3', use2fa: true }, 400],
    ])('refuses %s (%j) with %i and writes nothing', async (_n, body, status) => {
      const before = await countUsers(tok.adminA);
      const r = await t.http().post('/rest/v2/user').set(as(tok.adminA)).send(body).expect(status);
      expect(r.body).toMatchObject({ status, code: expect.any(String), requestId: expect.any(String) });
      expect(await countUsers(tok.adminA)).toBe(before);
    });

    it('a duplicate login in the group is 409; the same login in another group is fine', async () => {
      await t.http().post('/rest/v2/user').set(as(tok.adminA)).send({ login: userA.login }).expect(409);
      await t.http().post('/rest/v2/user').set(as(tok.adminB)).send({ login: userA.login }).expect(200);
    });

    it('401 without credentials', async () => {
      await t.http().post('/rest/v2/user').send({ login: 'x' }).expect(401);
    });
  });

  describe('GET /user/{id}, byEmail, byHealthcarePartyId, byPatientId', () => {
    it('reads a user of the group; another tenant is 404', async () => {
      const r = await t.http().get(`/rest/v2/user/${userA.user.id}`).set(as(tok.userA)).expect(200);
      expect(r.body).toMatchObject({ id: userA.user.id, login: userA.login, groupId: userA.groupId });
      expect(user(r).secret).toBeUndefined();
      await t.http().get(`/rest/v2/user/${userB.user.id}`).set(as(tok.adminA)).expect(404);
      await t.http().get(`/rest/v2/user/${userA.user.id}`).expect(401);
    });

    it('finds by email (URL-encoded), 404 for another tenant', async () => {
      const r = await t
        .http()
        .get(`/rest/v2/user/byEmail/${encodeURIComponent(userA.user.email!)}`)
        .set(as(tok.adminA))
        .expect(200);
      expect(user(r).id).toBe(userA.user.id);
      await t
        .http()
        .get(`/rest/v2/user/byEmail/${encodeURIComponent(userA.user.email!)}`)
        .set(as(tok.adminB))
        .expect(404);
    });

    it('lists ids by healthcare party and by patient, scoped to the group', async () => {
      expect(body<string[]>(await t.http().get('/rest/v2/user/byHealthcarePartyId/hcp-b').set(as(tok.adminB)).expect(200))).toEqual([
        userB.user.id,
      ]);
      expect(body<string[]>(await t.http().get('/rest/v2/user/byPatientId/pat-b').set(as(tok.userB)).expect(200))).toEqual([userB.user.id]);
      expect(body<string[]>(await t.http().get('/rest/v2/user/byHealthcarePartyId/hcp-b').set(as(tok.adminA)).expect(200))).toEqual([]);
    });
  });

  describe('PUT /user (modify)', () => {
    it('modifies at the current rev, keeps the password with "*", 409 on a stale rev, 404 when missing', async () => {
      const u = await createUser(t, adminA.groupId);
      const me = (await loginAs(t, u)).token;
      const cur = user(await t.http().get('/rest/v2/user/current').set(as(me)).expect(200));
      const v2 = user(
        await t
          .http()
          .put('/rest/v2/user')
          .set(as(me))
          .send({ ...cur, name: 'Renamed', passwordHash: '*' })
          .expect(200),
      );
      expect(v2).toMatchObject({ name: 'Renamed', passwordHash: '*' });
      expect(v2.rev).not.toBe(cur.rev);
      await loginAs(t, u);
      const stale = await t
        .http()
        .put('/rest/v2/user')
        .set(as(me))
        .send({ ...cur, name: 'Stale' })
        .expect(409);
      expect(body<{ code: string }>(stale).code).toBe('STALE_REVISION');
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.adminA))
        .send({ ...cur, id: '00000000-0000-4000-8000-000000000000' })
        .expect(404);
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(me))
        .send({ ...v2, rev: undefined })
        .expect(409);
      expect(user(await t.http().get('/rest/v2/user/current').set(as(me))).name).toBe('Renamed');
    });

    it('a plaintext passwordHash changes the password; a 64-hex value is a legacy hash upgraded at login', async () => {
      const u = await createUser(t, adminA.groupId);
      const cur = user(await t.http().get(`/rest/v2/user/${u.user.id}`).set(as(tok.adminA)));
      const legacy = createHash('sha256').update('legacy password 42').digest('hex');
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.adminA))
        .send({ ...cur, passwordHash: legacy })
        .expect(200);
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${u.groupId}/${u.login}`, password: 'legacy password 42' })
        .expect(200);
      const cur2 = user(await t.http().get(`/rest/v2/user/${u.user.id}`).set(as(tok.adminA)));
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.adminA))
        .send({ ...cur2, passwordHash: 'another fine password' })
        .expect(200);
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${u.groupId}/${u.login}`, password: 'another fine password' })
        .expect(200);
    });

    it('a plain user cannot modify another user (403) nor grant itself roles (403)', async () => {
      const other = user(await t.http().get(`/rest/v2/user/${adminA.user.id}`).set(as(tok.userA)));
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.userA))
        .send({ ...other, passwordHash: 'taking over the admin' })
        .expect(403);
      const me = user(await t.http().get('/rest/v2/user/current').set(as(tok.userA)));
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.userA))
        .send({ ...me, roles: ['ADMINISTRATOR'] })
        .expect(403);
    });

    it('another tenant is 404', async () => {
      const b = user(await t.http().get(`/rest/v2/user/${userB.user.id}`).set(as(tok.adminB)));
      await t
        .http()
        .put('/rest/v2/user')
        .set(as(tok.adminA))
        .send({ ...b, name: 'hijack' })
        .expect(404);
      expect(user(await t.http().get(`/rest/v2/user/${userB.user.id}`).set(as(tok.adminB))).name).toBe(b.name);
    });
  });

  describe('DELETE /user/{id}', () => {
    it('admin soft-deletes (DocIdentifier); its sessions end; plain user 403; other tenant 404', async () => {
      const victim = await createUser(t, adminA.groupId);
      const vt = (await loginAs(t, victim)).token;
      await t.http().delete(`/rest/v2/user/${victim.user.id}`).set(as(tok.userA)).expect(403);
      await t.http().delete(`/rest/v2/user/${victim.user.id}`).set(as(tok.adminB)).expect(404);
      const r = await t.http().delete(`/rest/v2/user/${victim.user.id}`).set(as(tok.adminA)).expect(200);
      expect(r.body).toEqual({ id: victim.user.id, rev: expect.stringMatching(/^2-/) });
      await t.http().get('/rest/v2/user/current').set(as(vt)).expect(401);
      await t.http().get(`/rest/v2/user/${victim.user.id}`).set(as(tok.adminA)).expect(404);
    });
  });

  describe('GET /user (keyset pagination)', () => {
    it('pages by login with nextKeyPair until the last page', async () => {
      const g = await createGroup(t);
      const admin = await createAdmin(t, g, { login: 'aaa-admin' });
      for (const l of ['b1', 'b2', 'b3', 'b4']) await createUser(t, g, { login: l });
      await createUser(t, g, { login: 'zz-patient', fields: { patientId: 'p1' } });
      const token = (await loginAs(t, admin)).token;
      const seen: (string | undefined)[] = [];
      let q: Record<string, unknown> = { limit: 2 };
      for (let i = 0; i < 5; i++) {
        const r = await t
          .http()
          .get('/rest/v2/user')
          .query({ ts: Date.now(), ...q })
          .set(as(token))
          .expect(200);
        expect(userPage(r).pageSize).toBe(2);
        seen.push(...userPage(r).rows.map((u) => u.login));
        const next = userPage(r).nextKeyPair;
        if (!next) break;
        q = { limit: 2, startKey: next.startKey, startDocumentId: next.startKeyDocId };
      }
      expect(seen).toEqual(['aaa-admin', 'b1', 'b2', 'b3', 'b4']);
      const all = await t.http().get('/rest/v2/user').query({ skipPatients: false }).set(as(token)).expect(200);
      expect(userPage(all).rows.map((u) => u.login)).toContain('zz-patient');
      expect(userPage(all).nextKeyPair).toBeUndefined();
    });

    it.each([[{ limit: 0 }], [{ limit: -3 }], [{ limit: 'many' }], [{ limit: 10_000_000 }]])('absurd %j is 400', async (q) => {
      await t.http().get('/rest/v2/user').query(q).set(as(tok.adminA)).expect(400);
    });

    it('is admin-only (403 for a plain user, 401 without auth)', async () => {
      await t.http().get('/rest/v2/user').set(as(tok.userA)).expect(403);
      await t.http().get('/rest/v2/user').expect(401);
    });

    it('never shows another tenant', async () => {
      const r = await t.http().get('/rest/v2/user').set(as(tok.adminA)).expect(200);
      expect(userPage(r).rows.every((u) => u.groupId === adminA.groupId)).toBe(true);
    });
  });

  describe('filters', () => {
    it('filter and match with $type filters; unknown $type is 400', async () => {
      const ids = body<string[]>(
        await t
          .http()
          .post('/rest/v2/user/match')
          .set(as(tok.adminA))
          .send({ $type: 'UserByIdsFilter', ids: [userA.user.id, userB.user.id] })
          .expect(200),
      );
      expect(ids).toEqual([userA.user.id]);
      const page = await t
        .http()
        .post('/rest/v2/user/filter')
        .query({ limit: 1 })
        .set(as(tok.adminA))
        .send({
          $type: 'FilterChain',
          filter: {
            $type: 'UnionFilter',
            filters: [
              { $type: 'UserByIdsFilter', ids: [userA.user.id] },
              { $type: 'UserByNameEmailPhoneFilter', searchString: adminA.login },
            ],
          },
        })
        .expect(200);
      expect(userPage(page).rows).toHaveLength(1);
      expect(userPage(page).nextKeyPair?.startKeyDocId).toEqual(expect.any(String));
      const complement = await t
        .http()
        .post('/rest/v2/user/match')
        .set(as(tok.adminA))
        .send({
          $type: 'ComplementFilter',
          superSet: { $type: 'AllUsersFilter' },
          subSet: { $type: 'UserByIdsFilter', ids: [userA.user.id] },
        })
        .expect(200);
      expect(complement.body).not.toContain(userA.user.id);
      expect(complement.body).toContain(adminA.user.id);
      await t.http().post('/rest/v2/user/match').set(as(tok.adminA)).send({ $type: 'PatientByWhateverFilter' }).expect(400);
      await t.http().post('/rest/v2/user/filter').set(as(tok.adminA)).send({ filter: {} }).expect(400);
      await t.http().post('/rest/v2/user/match').set(as(tok.userA)).send({ $type: 'AllUsersFilter' }).expect(403);
      await t.http().post('/rest/v2/user/match').send({ $type: 'AllUsersFilter' }).expect(401);
    });
  });

  describe('properties', () => {
    it('merges by identifier; limits; self or admin; other tenant 404', async () => {
      const put = (token: string, id: string, body: unknown) =>
        t
          .http()
          .put(`/rest/v2/user/${id}/properties`)
          .set(as(token))
          .send(body as object);
      const r1 = await put(tok.userA, userA.user.id, [
        { type: { identifier: 'theme', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: 'dark' } },
      ]).expect(200);
      const r2 = await put(tok.userA, userA.user.id, [
        { type: { identifier: 'theme' }, typedValue: { stringValue: 'light' } },
        { type: { identifier: 'n' }, typedValue: { integerValue: 3 } },
      ]).expect(200);
      expect(user(r1).properties).toHaveLength(1);
      expect(user(r2).properties).toEqual([
        { type: { identifier: 'theme', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: 'light' } },
        { type: { identifier: 'n', type: 'INTEGER' }, typedValue: { type: 'INTEGER', integerValue: 3 } },
      ]);
      await put(tok.userA, userA.user.id, { not: 'an array' }).expect(400);
      await put(tok.userA, userA.user.id, [{ type: { identifier: 'big' }, typedValue: { stringValue: 'x'.repeat(20000) } }]).expect(413);
      await put(tok.userA, adminA.user.id, [{ type: { identifier: 'x' }, typedValue: { booleanValue: true } }]).expect(403);
      await put(tok.adminA, userB.user.id, [{ type: { identifier: 'x' }, typedValue: { booleanValue: true } }]).expect(404);
      await t.http().put(`/rest/v2/user/${userA.user.id}/properties`).send([]).expect(401);
      const after = user(await t.http().get(`/rest/v2/user/${userA.user.id}`).set(as(tok.userA)));
      expect(after.properties).toHaveLength(2);
    });
  });

  describe('app tokens', () => {
    it('issues a token (text/plain, once), replaces it per key, checks it, and it works as a password', async () => {
      const u = await createUser(t, adminA.groupId, { email: `tokens-${Date.now()}@example.org` });
      const me = (await loginAs(t, u)).token;
      const first = await t
        .http()
        .post(`/rest/v2/user/token/${u.user.id}/app`)
        .set(as(me))
        .set('content-type', 'text/plain')
        .send('null')
        .expect(200);
      expect(first.headers['content-type']).toMatch(/^text\/plain/);
      const token1 = first.text;
      const check = await t.http().get(`/rest/v2/user/token/${u.user.id}`).set(as(me)).set('token', token1).expect(200);
      expect(check.headers['content-type']).toMatch(/^application\/json/);
      expect(check.body).toBe(true);
      await t
        .http()
        .get('/rest/v2/user/current')
        .set(basic(`${u.groupId}/${u.login}`, token1))
        .expect(200);
      const second = await t
        .http()
        .post(`/rest/v2/user/token/${u.login}/app`)
        .query({ tokenValidity: 60 })
        .set(as(me))
        .set('token', 'my-chosen-token-1-long-enough-for-asvs')
        .expect(200);
      expect(second.text).toBe('my-chosen-token-1-long-enough-for-asvs');
      expect(body<boolean>(await t.http().get(`/rest/v2/user/token/${u.user.id}`).set(as(me)).set('token', token1))).toBe(false);
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${u.groupId}/${u.login}`, password: 'my-chosen-token-1-long-enough-for-asvs' })
        .expect(200);
      const cur = user(await t.http().get('/rest/v2/user/current').set(as(me)));
      expect(cur.authenticationTokens.app).toEqual({ creationTime: expect.any(Number), validity: 60 });
      expect(JSON.stringify(cur)).not.toContain('my-chosen-token-1-long-enough-for-asvs');
      // GET /user/{id} reads the user and its token keys in one statement: same keys, no values.
      const byId = user(await t.http().get(`/rest/v2/user/${u.user.id}`).set(as(me)).expect(200));
      expect(byId.authenticationTokens).toEqual(cur.authenticationTokens);
      expect(JSON.stringify(byId)).not.toContain('my-chosen-token-1-long-enough-for-asvs');
      // So does GET /user/byEmail/{email} (any case).
      const byEmail = user(
        await t
          .http()
          .get(`/rest/v2/user/byEmail/${encodeURIComponent(u.user.email!.toUpperCase())}`)
          .set(as(me))
          .expect(200),
      );
      expect(byEmail.id).toBe(u.user.id);
      expect(byEmail.authenticationTokens).toEqual(cur.authenticationTokens);
      expect(JSON.stringify(byEmail)).not.toContain('my-chosen-token-1-long-enough-for-asvs');
    });

    it('self or admin only; other tenant 404; bad input 400; 401', async () => {
      await t.http().post(`/rest/v2/user/token/${adminA.user.id}/k`).set(as(tok.userA)).expect(403);
      await t.http().post(`/rest/v2/user/token/${userA.user.id}/k`).set(as(tok.adminA)).expect(200);
      await t.http().post(`/rest/v2/user/token/${userB.user.id}/k`).set(as(tok.adminA)).expect(404);
      await t.http().post(`/rest/v2/user/token/${userA.user.id}/k`).query({ tokenValidity: 'soon' }).set(as(tok.userA)).expect(400);
      await t.http().post(`/rest/v2/user/token/${userA.user.id}/k`).set(as(tok.userA)).set('token', 'abc').expect(400);
      await t.http().get(`/rest/v2/user/token/${userA.user.id}`).set(as(tok.userA)).expect(400);
      await t.http().post(`/rest/v2/user/token/${userA.user.id}/k`).expect(401);
    });
  });

  describe('current user helpers', () => {
    it('session id for bearer tokens, empty for Basic', async () => {
      const s = await t.http().get('/rest/v2/user/session').set(as(tok.userA)).expect(200);
      expect(s.headers['content-type']).toMatch(/^text\/plain/);
      expect(s.text).toMatch(/^[0-9a-f-]{36}$/);
      const b = await t
        .http()
        .get('/rest/v2/user/session')
        .set(basic(`${userA.groupId}/${userA.login}`, userA.password))
        .expect(200);
      expect(b.text).toBe('');
    });

    it('checkPassword answers JSON booleans; encodePassword answers an argon2id string as text', async () => {
      const yes = await t.http().get('/rest/v2/user/checkPassword').set(as(tok.userA)).set('password', userA.password).expect(200);
      expect(yes.body).toBe(true);
      expect(body<boolean>(await t.http().get('/rest/v2/user/checkPassword').set(as(tok.userA)).set('password', 'nope nope nope'))).toBe(
        false,
      );
      const enc = await t.http().get('/rest/v2/user/encodePassword').set(as(tok.userA)).set('password', 'whatever it is').expect(200);
      expect(enc.text).toMatch(/^\$argon2id\$/);
      await t.http().get('/rest/v2/user/checkPassword').set(as(tok.userA)).expect(400);
      await t.http().get('/rest/v2/user/encodePassword').expect(401);
    });

    it('assigns a healthcare party of the group to the current user; unknown or foreign HCP is 404', async () => {
      await t
        .http()
        .put('/rest/v2/user/current/hcparty/no-such-hcp')
        .set(as(tok.userA))
        .set('content-type', 'text/plain')
        .send('null')
        .expect(404);
      await t.http().put('/rest/v2/user/current/hcparty/x').expect(401);
    });
  });
});
