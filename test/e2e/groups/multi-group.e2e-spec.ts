import { expect } from '@jest/globals';
import { GroupEntity } from '../../../src/groups/group.entity';
import { basic, bearer, createAdmin, createGroup, createUser, loginAs, uniq } from '../../support/fixtures';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import type { UserGroupView } from '../../../src/users/user-groups.service';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

interface Auth {
  token: string;
  refreshToken: string;
  groupId: string;
  userId: string;
}
const auth = (r: { body: unknown }) => body<Auth>(r);
const matches = (r: { body: unknown }) => body<UserGroupView[]>(r);
const tokens = (r: { body: unknown }) => body<{ token: string; groupId: string; groupName: string }[]>(r);

describe('login across groups, /user/matches, /auth/switch, /user/inAllGroups/token', () => {
  let t: TestApp;
  let A: GroupEntity, B: GroupEntity, A1: GroupEntity;
  const login = uniq('multi');
  const password = 'the-same-password-everywhere';
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startApp();
    A = await createGroup(t, { id: `a${uniq('')}`, name: 'Alpha' });
    B = await createGroup(t, { id: `b${uniq('')}`, name: 'Beta' });
    A1 = await createGroup(t, { id: `c${uniq('')}`, parent: A, name: 'Alpha one' });
    ids.A = (await createUser(t, A, { login, password, email: 'multi@example.com' })).user.id;
    ids.B = (await createAdmin(t, B, { login, password })).user.id;
    ids.A1 = (await createUser(t, A1, { login, password: 'another-password-here' })).user.id;
  });
  afterAll(() => t.close());
  const http = () => t.http();

  it('a login matching several groups gets the lowest group id, or the ?groupId= preference; groupId/login picks one', async () => {
    const first = await http().post('/rest/v2/auth/login').send({ username: login, password }).expect(200);
    expect(auth(first).groupId).toBe([A.id, B.id].sort()[0]);
    const pref = await http().post('/rest/v2/auth/login').query({ groupId: B.id }).send({ username: login, password }).expect(200);
    expect(auth(pref)).toMatchObject({ groupId: B.id, userId: ids.B });
    const explicit = await http()
      .post('/rest/v2/auth/login')
      .send({ username: `${B.id}/${login}`, password })
      .expect(200);
    expect(auth(explicit).groupId).toBe(B.id);
    await http().post('/rest/v2/auth/login').query({ groupId: 'bad id' }).send({ username: login, password }).expect(400);
  });

  it('/user/matches lists every group the credentials opened (not the one with another password)', async () => {
    const { token } = auth(await http().post('/rest/v2/auth/login').send({ username: login, password }));
    const m = await http().get('/rest/v2/user/matches').set(bearer(token)).expect(200);
    expect(
      matches(m)
        .map((g) => g.groupId)
        .sort(),
    ).toEqual([A.id, B.id].sort());
    const a = matches(m).find((g) => g.groupId === A.id);
    expect(a).toMatchObject({ groupId: A.id, groupName: 'Alpha', userId: ids.A, login, email: 'multi@example.com' });
    expect(a?.groupsHierarchy.map((g) => g.id)).toEqual(['root']);
    await http().get('/rest/v2/user/matches').expect(401);

    const child = await http().post('/rest/v2/auth/login').send({ username: login, password: 'another-password-here' }).expect(200);
    const cm = await http()
      .get('/rest/v2/user/matches')
      .set(bearer(auth(child).token))
      .expect(200);
    expect(matches(cm)).toHaveLength(1);
    expect(matches(cm)[0].groupsHierarchy.map((g) => g.id)).toEqual(['root', A.id]);

    const viaBasic = await http()
      .get('/rest/v2/user/matches')
      .set(basic(`${B.id}/${login}`, password))
      .expect(200);
    expect(matches(viaBasic).map((g) => g.groupId)).toEqual([B.id]);
  });

  it('switch issues tokens for the same person in another matched group', async () => {
    const l = auth(await http().post('/rest/v2/auth/login').query({ groupId: A.id }).send({ username: login, password }));
    const s = await http()
      .post(`/rest/v2/auth/switch/${B.id}`)
      .set('Refresh-Token', l.refreshToken)
      .set('content-type', 'application/json')
      .send('null')
      .expect(200);
    expect(auth(s)).toMatchObject({
      successful: true,
      groupId: B.id,
      userId: ids.B,
      token: expect.any(String),
      refreshToken: expect.any(String),
    });
    const me = await http()
      .get('/rest/v2/user/current')
      .set(bearer(auth(s).token))
      .expect(200);
    expect(body<NativeUserDto>(me).id).toBe(ids.B);
    const back = await http()
      .get('/rest/v2/user/matches')
      .set(bearer(auth(s).token))
      .expect(200);
    expect(matches(back)).toHaveLength(2);
    await http()
      .post(`/rest/v2/auth/switch/${A.id}`)
      .set('Refresh-Token', auth(s).refreshToken)
      .expect(200)
      .expect((res) => expect(auth(res).groupId).toBe(A.id));

    await http().post(`/rest/v2/auth/switch/${A1.id}`).set('Refresh-Token', l.refreshToken).expect(404);
    await http().post('/rest/v2/auth/switch/root').set('Refresh-Token', l.refreshToken).expect(404);
    await http().post(`/rest/v2/auth/switch/${B.id}`).set('Refresh-Token', 'garbage').expect(401);
    await http().post(`/rest/v2/auth/switch/${B.id}`).expect(401);
    await http().post(`/rest/v2/auth/switch/${B.id}`).set('Refresh-Token', l.token).expect(401);
    await http().post('/rest/v2/auth/switch/bad%20id').set('Refresh-Token', l.refreshToken).expect(400);
    await http().post('/rest/v2/auth/invalidate').set('Refresh-Token', l.refreshToken).expect(200);
    await http().post(`/rest/v2/auth/switch/${B.id}`).set('Refresh-Token', l.refreshToken).expect(401);
  });

  it('inAllGroups/token: one token per matched group where the caller is the user or an administrator', async () => {
    const l = auth(await http().post('/rest/v2/auth/login').send({ username: login, password }));
    const r = await http()
      .post(`/rest/v2/user/inAllGroups/token/${login}/k1`)
      .query({ tokenValidity: 600 })
      .set(bearer(l.token))
      .expect(200);
    expect(
      tokens(r)
        .map((x) => x.groupId)
        .sort(),
    ).toEqual([A.id, B.id].sort());
    const tokA = tokens(r).find((x) => x.groupId === A.id);
    expect(tokA).toMatchObject({ token: expect.any(String), groupName: 'Alpha' });
    await http()
      .post('/rest/v2/auth/login')
      .send({ username: `${A.id}/${login}`, password: tokA?.token })
      .expect(200);

    const chosen = await http()
      .post(`/rest/v2/user/inAllGroups/token/${login}/k2`)
      .set('token', 'my-chosen-token-value-long-enough-for-asvs')
      .set(bearer(l.token))
      .expect(200);
    expect(tokens(chosen).every((x) => x.token === 'my-chosen-token-value-long-enough-for-asvs')).toBe(true);

    // B's user is an administrator there: may mint for another user of B; in A the caller is a plain user.
    const other = await createUser(t, B);
    const adm = await http().post(`/rest/v2/user/inAllGroups/token/${other.login}/k3`).set(bearer(l.token)).expect(200);
    expect(tokens(adm).map((x) => x.groupId)).toEqual([B.id]);
    const otherA = await createUser(t, A);
    await http().post(`/rest/v2/user/inAllGroups/token/${otherA.login}/k3`).set(bearer(l.token)).expect(403);
    await http().post('/rest/v2/user/inAllGroups/token/nobody-at-all/k3').set(bearer(l.token)).expect(404);
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k1`).query({ tokenValidity: 0 }).set(bearer(l.token)).expect(400);
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k1`).query({ tokenValidity: 'x' }).set(bearer(l.token)).expect(400);
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k1`).expect(401);
    const outsider = (await loginAs(t, await createAdmin(t, await createGroup(t)))).token;
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k1`).set(bearer(outsider)).expect(404);
    // An administrator of A1 (where the same login exists) may mint only there.
    const a1Admin = (await loginAs(t, await createAdmin(t, A1))).token;
    const a1 = await http().post(`/rest/v2/user/inAllGroups/token/${login}/k1`).set(bearer(a1Admin)).expect(200);
    expect(tokens(a1).map((x) => x.groupId)).toEqual([A1.id]);
  });

  it('inAllGroups/token covers every group where the caller may act for the identifier, as inGroup does (ancestor administrators)', async () => {
    const aAdmin = (await loginAs(t, await createAdmin(t, A))).token;
    // inGroup: an administrator of A may mint for the user of A1, a child group.
    const one = await http().post(`/rest/v2/user/inGroup/${A1.id}/token/${ids.A1}/k4`).set(bearer(aAdmin)).expect(200);
    expect(one.text.length).toBeGreaterThanOrEqual(43);
    // inAllGroups: the same administrator gets A's and A1's user of that login, not B's.
    const all = await http().post(`/rest/v2/user/inAllGroups/token/${login}/k4`).set(bearer(aAdmin)).expect(200);
    expect(
      tokens(all)
        .map((x) => x.groupId)
        .sort(),
    ).toEqual([A.id, A1.id].sort());
    const inA1 = tokens(all).find((x) => x.groupId === A1.id)!;
    expect(inA1.groupName).toBe('Alpha one');
    await http()
      .get('/rest/v2/user/current')
      .set(basic(`${A1.id}/${login}`, inA1.token))
      .expect(200);
    // A user of A only (no administrator) does not reach A1, and an administrator of A1 not A.
    const member = await createUser(t, A);
    const m = (await loginAs(t, member)).token;
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k4`).set(bearer(m)).expect(403);
    const onlyA1 = await createUser(t, A1);
    await http().post(`/rest/v2/user/inAllGroups/token/${onlyA1.login}/k4`).set(bearer(m)).expect(404);
    const a1Admin = (await loginAs(t, await createAdmin(t, A1))).token;
    const mine = await http().post(`/rest/v2/user/inAllGroups/token/${login}/k5`).set(bearer(a1Admin)).expect(200);
    expect(tokens(mine).map((x) => x.groupId)).toEqual([A1.id]);
    // Bad input and no credentials, as for inGroup.
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/bad%20key`).set(bearer(aAdmin)).expect(400);
    await http().post(`/rest/v2/user/inAllGroups/token/${login}/k4`).expect(401);
  });
});
