import { basic, bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin } from '../support/fixtures';
import { body } from '../support/body';
import { startApp, TestApp } from '../support/test-app';

/** Changes of roles, status and password take effect on the next request, for bearer and Basic alike. */
describe('authorization changes take effect on the next request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  async function adminWithVictim() {
    const g = await createGroup(t);
    const boss = await createAdmin(t, g);
    const victim = await createAdmin(t, g);
    return { g, boss: await loginAs(t, boss), victim, victimTokens: await loginAs(t, victim) };
  }

  async function modify(token: string, userId: string, patch: Record<string, unknown>): Promise<void> {
    const cur = await t.http().get(`/rest/v2/user/${userId}`).set(bearer(token)).expect(200);
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(token))
      .send({ ...cur.body, ...patch })
      .expect(200);
  }

  it('ASVS 8.3.2: removing ADMINISTRATOR from a user refuses its existing access token on admin routes at the next request', async () => {
    const { boss, victim, victimTokens } = await adminWithVictim();
    await t.http().get('/rest/v2/user').set(bearer(victimTokens.token)).expect(200);
    await t.http().get('/rest/v2/user').set(bearer(victimTokens.token)).expect(200); // served from the cache
    await modify(boss.token, victim.user.id, { roles: [] });
    await t.http().get('/rest/v2/user').set(bearer(victimTokens.token)).expect(403);
    const create = await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(victimTokens.token))
      .send({ login: 'x-by-demoted', roles: ['ADMINISTRATOR'] });
    // A member may create users, but no longer hands out ADMINISTRATOR.
    expect(body<{ roles?: string[] }>(create).roles ?? []).not.toContain('ADMINISTRATOR');
    // The same token still works as a plain member: only what it may do changed.
    await t.http().get('/rest/v2/user/current').set(bearer(victimTokens.token)).expect(200);
  });

  it('ASVS 8.3.2: granting a role is honoured on the next request too', async () => {
    const g = await createGroup(t);
    const boss = await loginAs(t, await createAdmin(t, g));
    const member = await createUser(t, g);
    const tokens = await loginAs(t, member);
    await t.http().get('/rest/v2/user').set(bearer(tokens.token)).expect(403);
    await modify(boss.token, member.user.id, { roles: ['ADMINISTRATOR'] });
    await t.http().get('/rest/v2/user').set(bearer(tokens.token)).expect(200);
  });

  it('ASVS 7.4.2: disabling a user refuses its access token and its Basic credentials at the next request', async () => {
    const { boss, victim, victimTokens } = await adminWithVictim();
    const auth = basic(`${victim.groupId}/${victim.login}`, victim.password);
    await t.http().get('/rest/v2/user/current').set(auth).expect(200);
    await t.http().get('/rest/v2/user/current').set(auth).expect(200); // cached Basic credential
    await modify(boss.token, victim.user.id, { status: 'DISABLED' });
    await t.http().get('/rest/v2/user/current').set(bearer(victimTokens.token)).expect(401);
    await t.http().get('/rest/v2/user/current').set(auth).expect(401);
  });

  it('ASVS 6.3.1/8.3.2: a Basic credential cached after success stops working at once after a role change and a password change', async () => {
    const { boss, victim } = await adminWithVictim();
    const auth = basic(`${victim.groupId}/${victim.login}`, victim.password);
    await t.http().get('/rest/v2/user').set(auth).expect(200);
    await modify(boss.token, victim.user.id, { roles: [] });
    await t.http().get('/rest/v2/user').set(auth).expect(403);
    await modify(boss.token, victim.user.id, { passwordHash: 'a-brand-new-password-for-the-victim' });
    await t.http().get('/rest/v2/user/current').set(auth).expect(401);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${victim.groupId}/${victim.login}`, 'a-brand-new-password-for-the-victim'))
      .expect(200);
  });

  it('ASVS 6.3.1: a failed Basic attempt is never cached: the right password after a wrong one works, the wrong one keeps failing', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const login = `${g.id}/${u.login}`;
    await t.http().get('/rest/v2/user/current').set(basic(login, 'wrong-password-here')).expect(401);
    await t.http().get('/rest/v2/user/current').set(basic(login, u.password)).expect(200);
    await t.http().get('/rest/v2/user/current').set(basic(login, 'wrong-password-here')).expect(401);
  });

  it('ASVS 7.4.1: logout refuses the access token at once, even when it was served from the cache', async () => {
    const g = await createGroup(t);
    const tokens = await loginAs(t, await createUser(t, g));
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(200);
    await t.http().post('/rest/v2/auth/logout').set(bearer(tokens.token)).expect(200);
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(401);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', tokens.refreshToken).expect(401);
  });

  it('ASVS 7.4.2: deleting a group refuses its users at once, cached Basic credentials included', async () => {
    const root = await loginAsRootAdmin(t);
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const auth = basic(`${g.id}/${u.login}`, u.password);
    const tokens = await loginAs(t, u);
    await t.http().get('/rest/v2/user/current').set(auth).expect(200);
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(200);
    await t.http().delete(`/rest/v2/group/${g.id}`).set(bearer(root.token)).expect(200);
    await t.http().get('/rest/v2/user/current').set(auth).expect(401);
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(401);
  });
});
