import { IccAuthApi } from '@icure/api/icc-api/api/IccAuthApi';
import { IccUserApi } from '@icure/api/icc-api/api/IccUserApi';
import { User } from '@icure/api/icc-api/model/User';
import {
  BasicAuthenticationProvider,
  EnsembleAuthenticationProvider,
  JwtAuthenticationProvider,
  NoAuthenticationProvider,
} from '@icure/api/icc-x-api/auth/AuthenticationProvider';
import { generate } from 'otplib';
import { createAdmin, createGroup, createUser, TestUser, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';
import { expect } from '@jest/globals';

/**
 * iCure's own TypeScript client (@icure/api 6.4.4), unchanged, pointed at /rest/v2: every
 * IccUserApi and IccAuthApi method, through the JWT provider and through Basic auth.
 */
describe('@icure/api 6.4.4 against Caregate', () => {
  let t: TestApp;
  let host: string;
  let admin: TestUser;
  let other: TestUser;
  const f = fetch as never;

  const noAuth = () => new IccAuthApi(host, {}, new NoAuthenticationProvider(), f);
  async function jwtUserApi(
    login: string,
    password: string,
  ): Promise<{ api: IccUserApi; auth: IccAuthApi; tokens: { token: string; refreshToken: string } }> {
    const r = await noAuth().login({ username: login, password });
    const tokens = { token: r.token!, refreshToken: r.refreshToken! };
    const provider = new JwtAuthenticationProvider(noAuth(), undefined, undefined, tokens);
    return { api: new IccUserApi(host, {}, provider, f), auth: new IccAuthApi(host, {}, provider, f), tokens };
  }
  const basicUserApi = (login: string, password: string) => new IccUserApi(host, {}, new BasicAuthenticationProvider(login, password), f);

  beforeAll(async () => {
    t = await startApp({ listen: true });
    host = `${t.url}/rest/v2`;
    const g = await createGroup(t);
    const g2 = await createGroup(t);
    admin = await createAdmin(t, g, { login: uniq('admin') });
    other = await createUser(t, g2);
  });
  afterAll(() => t.close());

  it('IccAuthApi: login, check, refresh (keeps the refresh token), token, logout, logoutPost, invalidate, third-party 501', async () => {
    const auth = noAuth();
    const r = await auth.login({ username: `${admin.groupId}/${admin.login}`, password: admin.password });
    expect(r).toMatchObject({ successful: true, userId: admin.user.id, groupId: admin.groupId });
    expect((await auth.check({ username: `${admin.groupId}/${admin.login}`, password: admin.password })).successful).toBe(true);
    await expect(auth.check({ username: `${admin.groupId}/${admin.login}`, password: 'wrong-password-!' })).rejects.toBeDefined();
    const refreshed = await auth.refreshAuthenticationJWT(r.refreshToken!);
    expect(refreshed.token).toEqual(expect.any(String));
    expect((await auth.refreshAuthenticationJWT(r.refreshToken!)).token).toEqual(expect.any(String));

    const { auth: authed } = await jwtUserApi(`${admin.groupId}/${admin.login}`, admin.password);
    const oneShot = await authed.token('GET', '/rest/v2/document/x');
    expect(oneShot).toMatch(/^[0-9a-f-]{36}$/);
    expect((await authed.logout()).successful).toBe(true);
    const { auth: authed2 } = await jwtUserApi(`${admin.groupId}/${admin.login}`, admin.password);
    expect((await authed2.logoutPost()).successful).toBe(true);

    const r2 = await auth.login({ username: `${admin.groupId}/${admin.login}`, password: admin.password });
    expect((await auth.invalidateRefreshJWT(r2.refreshToken!)).successful).toBe(true);
    await expect(auth.refreshAuthenticationJWT(r2.refreshToken!)).rejects.toBeDefined();
    await expect(auth.loginWithThirdPartyToken('google', 'x')).rejects.toMatchObject({ statusCode: 501 });
  });

  it.each(['jwt', 'basic'] as const)('IccUserApi through %s: the whole user life cycle', async (mode) => {
    const login = `${admin.groupId}/${admin.login}`;
    const api = mode === 'jwt' ? (await jwtUserApi(login, admin.password)).api : basicUserApi(login, admin.password);

    const me = await api.getCurrentUser();
    expect(me).toMatchObject({ id: admin.user.id, login: admin.login, passwordHash: '*' });
    expect(typeof (await api.getCurrentSession())).toBe('string');
    expect((await api.getMatchingUsers()).map((m) => m.groupId)).toContain(admin.groupId);
    expect(await api.checkPassword(admin.password)).toBe(true);
    expect(await api.checkPassword('not my password at all')).toBe(false);
    expect(await api.encodePassword('something long enough')).toMatch(/^\$argon2id\$/);

    const email = `${uniq(mode)}@clinic.example`;
    const created = await api.createUser(
      new User({
        id: undefined,
        email,
        passwordHash: 'a password for the client',
        name: 'Client Made',
        patientId: `pat-${mode}`,
        healthcarePartyId: `hcp-${mode}`,
      }),
    );
    expect(created).toMatchObject({ login: email, email, passwordHash: '*', groupId: admin.groupId });
    expect((await api.getUser(created.id!)).id).toBe(created.id);
    expect((await api.getUserByEmail(email)).id).toBe(created.id);
    expect(await api.findByHcpartyId(`hcp-${mode}`)).toEqual([created.id]);
    expect(await api.findByPatientId(`pat-${mode}`)).toEqual([created.id]);

    const modified = await api.modifyUser(new User({ ...created, name: 'Renamed' }));
    expect(modified.name).toBe('Renamed');
    await expect(api.modifyUser(new User({ ...created, name: 'Stale' }))).rejects.toMatchObject({ statusCode: 409 });

    const withProps = await api.modifyProperties(created.id!, [
      { type: { identifier: 'pref', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: 'x' } } as never,
    ]);
    expect(withProps.properties).toHaveLength(1);

    const token = await api.getToken(created.id!, `k-${mode}`, 120);
    expect(await api.checkTokenValidity(created.id!, token)).toBe(true);
    const viaToken = basicUserApi(`${admin.groupId}/${email}`, token);
    expect((await viaToken.getCurrentUser()).id).toBe(created.id);
    expect((await noAuth().login({ username: `${admin.groupId}/${email}`, password: token })).userId).toBe(created.id);

    const matched = await api.matchUsersBy({ $type: 'UserByIdsFilter', ids: [created.id!] } as never);
    expect(matched).toEqual([created.id]);
    const filtered = await api.filterUsersBy(undefined, 10, { $type: 'FilterChain', filter: { $type: 'AllUsersFilter' } } as never);
    expect(filtered.rows!.length).toBeGreaterThan(1);

    const deleted = await api.deleteUser(created.id!);
    expect(deleted).toMatchObject({ id: created.id });
    await expect(api.getUser(created.id!)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('paginates listUsers across several pages', async () => {
    const g = await createGroup(t);
    const a = await createAdmin(t, g, { login: 'a-admin' });
    for (let i = 0; i < 7; i++) await createUser(t, g, { login: `p-${i}` });
    const { api } = await jwtUserApi(`${g.id}/${a.login}`, a.password);
    const logins: string[] = [];
    let page = await api.listUsers(undefined, undefined, 3);
    logins.push(...page.rows!.map((u) => u.login!));
    while (page.nextKeyPair) {
      page = await api.listUsers(JSON.stringify(page.nextKeyPair.startKey).replace(/^"|"$/g, ''), page.nextKeyPair.startKeyDocId, 3);
      logins.push(...page.rows!.map((u) => u.login!));
    }
    expect(logins).toEqual(['a-admin', ...Array.from({ length: 7 }, (_, i) => `p-${i}`)]);
  });

  it('inGroup methods work for an admin of an ancestor and are 403 for a plain user; another group is 404', async () => {
    const parent = await createGroup(t);
    const child = await createGroup(t, { parent });
    const padmin = await createAdmin(t, parent);
    const { api } = await jwtUserApi(`${parent.id}/${padmin.login}`, padmin.password);
    const u = await api.createUserInGroup(child.id, new User({ login: uniq('child'), passwordHash: 'child user password' }));
    expect(u.groupId).toBe(child.id);
    expect((await api.listUsersInGroup(child.id)).rows!.map((x) => x.id)).toContain(u.id);
    const m = await api.modifyUserInGroup(child.id, new User({ ...u, name: 'Child' }));
    expect(m.name).toBe('Child');
    const f2 = await api.filterUsersInGroupBy(child.id, undefined, 5, {
      $type: 'FilterChain',
      filter: { $type: 'AllUsersFilter' },
    } as never);
    expect(f2.rows!.map((x) => x.id)).toEqual([u.id]);
    expect(await api.getTokenInGroup(child.id, u.id!, 'key1')).toEqual(expect.any(String));
    expect(await api.deleteUserInGroup(child.id, u.id!)).toEqual({});

    const plain = await createUser(t, parent);
    const { api: plainApi } = await jwtUserApi(`${parent.id}/${plain.login}`, plain.password);
    await expect(plainApi.listUsersInGroup(child.id)).rejects.toMatchObject({ statusCode: 403 });
    await expect(api.getUser(other.user.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(api.listUsersInGroup(other.groupId)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('assignHealthcareParty and getTokenInAllGroups and switchGroupUsingRefreshJWT', async () => {
    const { api } = await jwtUserApi(`${admin.groupId}/${admin.login}`, admin.password);
    await expect(api.assignHealthcareParty('no-such-hcp')).rejects.toMatchObject({ statusCode: 404 });
    const all = await api.getTokenInAllGroups(admin.login, 'every');
    expect(all).toEqual([{ token: expect.any(String), groupId: admin.groupId, groupName: expect.any(String) }]);

    const g1 = await createGroup(t);
    const g2 = await createGroup(t);
    const login = uniq('twin');
    const u1 = await createUser(t, g1, { login, password: 'same password twice' });
    const u2 = await createUser(t, g2, { login, password: 'same password twice' });
    const r = await noAuth().login({ username: login, password: 'same password twice' });
    const provider = new JwtAuthenticationProvider(noAuth(), undefined, undefined, { token: r.token!, refreshToken: r.refreshToken! });
    const userApi = new IccUserApi(host, {}, provider, f);
    expect((await userApi.getMatchingUsers()).map((m) => m.userId).sort()).toEqual([u1.user.id, u2.user.id].sort());
    const target = r.groupId === g1.id ? g2.id : g1.id;
    // Only the ensemble provider (login + password) keeps a refresh token the client can switch with.
    const ensemble = new EnsembleAuthenticationProvider(noAuth(), login, 'same password twice');
    await new IccUserApi(host, {}, ensemble, f).getCurrentUser();
    const switched = await new IccAuthApi(host, {}, ensemble, f).switchGroupUsingRefreshJWT(target);
    expect(switched).toMatchObject({ successful: true, groupId: target });
    expect(switched.token).toEqual(expect.any(String));
  });

  it('two-factor login: 417 without a code, 406 with a wrong one, success with password|TOTP (login and Basic)', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g, { password: 'two factor password' });
    const { api } = await jwtUserApi(`${g.id}/${u.login}`, u.password);
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const cur = await api.getCurrentUser();
    const on = await api.modifyUser(new User({ ...cur, use2fa: true, secret }));
    expect(on.use2fa).toBe(true);
    expect(on.secret).toBeUndefined();
    const auth = noAuth();
    const username = `${g.id}/${u.login}`;
    await expect(auth.login({ username, password: u.password })).rejects.toMatchObject({ statusCode: 417 });
    await expect(
      auth.login({
        username,
        password:
          `${u.password}|000000` === `${u.password}|${await generate({ secret })}` ? `${u.password}|111111` : `${u.password}|000000`,
      }),
    ).rejects.toMatchObject({ statusCode: 406 });
    const code = await generate({ secret });
    expect((await auth.login({ username, password: `${u.password}|${code}` })).successful).toBe(true);
    expect((await basicUserApi(username, `${u.password}|${code}`).getCurrentUser()).id).toBe(u.user.id);
  });
});
