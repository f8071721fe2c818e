import { RequestContext } from '../../src/common/request-context';
import { UsersRepository } from '../../src/users/users.repository';
import { body } from '../support/body';
import { basic, bearer, createGroup, createUser, loginAs } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

const SPOOFS = [
  { 'X-Forwarded-For': '203.0.113.7' },
  { 'X-Real-IP': '203.0.113.8' },
  { Forwarded: 'for=203.0.113.9' },
  { 'X-Forwarded-For': '203.0.113.10, 127.0.0.1' },
  { 'True-Client-IP': '203.0.113.11', 'CF-Connecting-IP': '203.0.113.12' },
];

/** Brute force, spraying and enumeration, from one address that tries to look like many. */
describe('anti-automation', () => {
  describe('failed-authentication budget (default-like: 30 per window)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ env: { CAREGATE_AUTH_FAILURE_LIMIT: '30', CAREGATE_AUTH_FAILURE_WINDOW: '300' } });
    });
    afterAll(() => t.close());

    it('ASVS 6.3.1/4.1.3: Basic-auth spraying (70 logins, one password each) is throttled, whatever forwarding headers say', async () => {
      const g = await createGroup(t);
      const victims = await Promise.all(Array.from({ length: 3 }, () => createUser(t, g)));
      const statuses: number[] = [];
      for (let i = 0; i < 70; i++) {
        const login = i % 10 === 0 ? `${g.id}/${victims[i % 3].login}` : `${g.id}/sprayed-login-${i}`;
        const r = await t
          .http()
          .get('/rest/v2/user/current')
          .set(SPOOFS[i % SPOOFS.length])
          .set(basic(login, 'Winter2026!-spray'));
        statuses.push(r.status);
        if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
      // Past the budget even the right password waits: no oracle for the sprayer.
      const right = await t
        .http()
        .get('/rest/v2/user/current')
        .set(basic(`${g.id}/${victims[0].login}`, victims[0].password));
      expect(right.status).toBe(429);
      // The login route shares the budget, and answers 429 in the native shape with Retry-After.
      const login = await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: victims[0].login, password: victims[0].password })
        .expect(429);
      expect(login.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
      // The accounts profile renders the same refusal in its own shape.
      const acc = await t
        .http()
        .post('/v1/users/passwords/reset')
        .send({ token: 'x'.repeat(22), password: 'whatever-new-password' });
      expect(acc.status).toBe(429);
      expect(acc.headers['retry-after']).toBeDefined();
    });
  });

  describe('bearer and app-token failures count too', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ env: { CAREGATE_AUTH_FAILURE_LIMIT: '5' } });
    });
    afterAll(() => t.close());

    it('ASVS 6.3.1: forged bearer tokens and wrong app tokens use up the same per-IP budget; a verified token keeps working', async () => {
      const g = await createGroup(t);
      const u = await createUser(t, g);
      const { token } = await loginAs(t, u);
      await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
      for (let i = 0; i < 3; i++)
        await t
          .http()
          .get('/rest/v2/user/current')
          .set(bearer(`${token.slice(0, -4)}AAAA`))
          .expect(401);
      for (let i = 0; i < 2; i++)
        await t
          .http()
          .get('/rest/v2/user/current')
          .set(basic(`${g.id}/${u.login}`, `not-an-app-token-${'x'.repeat(30)}-${i}`))
          .expect(401);
      await t
        .http()
        .get('/rest/v2/user/current')
        .set(bearer(`${token.slice(0, -4)}BBBB`))
        .expect(429);
      await t
        .http()
        .get('/rest/v2/user/current')
        .set(basic(`${g.id}/${u.login}`, u.password))
        .expect(429);
      // Already verified in this process: no credential check, no budget needed.
      await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    });
  });

  describe('enumeration', () => {
    let t: TestApp;
    let known: Awaited<ReturnType<typeof createUser>>;
    beforeAll(async () => {
      t = await startApp();
      known = await createUser(t, 'root', { email: 'known.person@example.org' });
    });
    afterAll(() => t.close());

    /** A response body without its requestId (which differs on every request). */
    const strip = (res: { body: unknown }) => {
      const { requestId: _r, ...rest } = body<Record<string, unknown> | undefined>(res) ?? {};
      return rest;
    };

    it('ASVS 6.3.8: login and check answer a known login with a wrong password exactly like an unknown login', async () => {
      for (const route of ['/rest/v2/auth/login', '/rest/v2/auth/check']) {
        for (const password of ['wrong-but-long-enough', 'short']) {
          const a = await t.http().post(route).send({ username: known.login, password });
          const b = await t.http().post(route).send({ username: 'nobody-by-that-name', password });
          expect([a.status, strip(a)]).toEqual([b.status, strip(b)]);
        }
      }
    });

    it('ASVS 6.3.8: a locked account answers exactly like a wrong password and like an unknown login', async () => {
      const u = await createUser(t, 'root');
      for (let i = 0; i < 6; i++) await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: 'wrong-but-long-enough' });
      const stored = await t.get(UsersRepository).findOneInGroup(RequestContext.system('root'), u.user.id);
      expect(stored?.lockedUntil).not.toBeNull();
      const locked = await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: u.password });
      const unknown = await t.http().post('/rest/v2/auth/login').send({ username: 'nobody-by-that-name', password: u.password });
      expect([locked.status, strip(locked)]).toEqual([unknown.status, strip(unknown)]);
    });

    it('ASVS 6.3.8: Basic auth on any route answers a known and an unknown login alike', async () => {
      for (const path of ['/rest/v2/user/current', '/rest/v2/user', '/v1/users']) {
        const a = await t.http().get(path).set(basic(known.login, 'wrong-but-long-enough'));
        const b = await t.http().get(path).set(basic('nobody-by-that-name', 'wrong-but-long-enough'));
        expect([a.status, strip(a)]).toEqual([b.status, strip(b)]);
      }
    });

    it('ASVS 6.3.8: a password-reset request answers a known and an unknown email alike', async () => {
      const a = await t.http().post('/v1/users/passwords').send({ email: 'known.person@example.org' });
      const b = await t.http().post('/v1/users/passwords').send({ email: 'ghost.person@example.org' });
      expect([a.status, strip(a)]).toEqual([b.status, strip(b)]);
    });
  });
});
