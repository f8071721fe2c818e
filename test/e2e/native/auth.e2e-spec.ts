import { expect } from '@jest/globals';
import { FakeClock } from '../../../src/common/clock';
import { RequestContext } from '../../../src/common/request-context';
import { UsersService } from '../../../src/users/users.service';
import { basic, bearer, createGroup, createUser, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import { body } from '../../support/body';
import { ADMIN_LOGIN, ADMIN_PASSWORD, startApp, TestApp } from '../../support/test-app';

/** A successful login's AuthenticationResponse (refreshToken only from login, not refresh). */
interface LoginBody {
  token: string;
  refreshToken?: string;
  groupId: string;
}

describe('native auth (/rest/v2/auth)', () => {
  let t: TestApp;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    t = await startApp({ clock });
  });
  afterAll(() => t.close());

  it('logs the bootstrap admin in and serves /user/current, until logout', async () => {
    const login = await t.http().post('/rest/v2/auth/login').send({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD }).expect(200);
    expect(login.body).toMatchObject({ successful: true, username: ADMIN_LOGIN, groupId: 'root' });
    const { token, refreshToken } = body<LoginBody>(login);
    expect(token.split('.')).toHaveLength(3);
    expect(refreshToken?.split('.')).toHaveLength(3);

    const me = await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    expect(me.body).toMatchObject({ login: ADMIN_LOGIN, passwordHash: '*', roles: ['ADMINISTRATOR'], applicationTokens: {} });
    expect(JSON.stringify(me.body)).not.toContain('argon2');

    // The iCure client sends the literal body `null` as text/plain on bodyless POSTs.
    await t
      .http()
      .post('/rest/v2/auth/logout')
      .set(bearer(token))
      .set('content-type', 'text/plain;charset=UTF-8')
      .send('null')
      .expect(200, { successful: true });
    const after = await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(401);
    expect(after.body).toMatchObject({ code: 'BAD_CREDENTIALS', status: 401 });
    await t
      .http()
      .post('/rest/v2/auth/refresh')
      .set('Refresh-Token', refreshToken ?? '')
      .expect(401);
  });

  it('decodes exp on both tokens as the iCure client does', async () => {
    const { token, refreshToken } = await loginAsRootAdmin(t);
    for (const jwt of [token, refreshToken]) {
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('latin1')) as { exp: unknown };
      expect(typeof payload.exp).toBe('number');
      expect(Number(payload.exp) * 1000).toBeGreaterThan(Date.now());
    }
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid?: unknown };
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(header.kid).toEqual(expect.any(String));
  });

  it('refresh returns a new access token and keeps the refresh token valid (no rotation)', async () => {
    const { refreshToken } = await loginAsRootAdmin(t);
    const r1 = await t
      .http()
      .post('/rest/v2/auth/refresh')
      .set('Refresh-Token', refreshToken)
      .set('content-type', 'application/json')
      .send('null')
      .expect(200);
    expect(body<LoginBody>(r1).token).toEqual(expect.any(String));
    expect(body<LoginBody>(r1).refreshToken).toBeUndefined();
    const r2 = await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', `Bearer ${refreshToken}`).expect(200);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(bearer(body<LoginBody>(r2).token))
      .expect(200);
  });

  it('invalidate ends the session: access and refresh tokens are refused at once', async () => {
    const { token, refreshToken } = await loginAsRootAdmin(t);
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    await t.http().post('/rest/v2/auth/invalidate').set('Refresh-Token', refreshToken).expect(200, { successful: true });
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(401);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', refreshToken).expect(401);
  });

  it('an access token presented as a refresh token, or a forged one, is 401', async () => {
    const { token } = await loginAsRootAdmin(t);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', token).expect(401);
    await t.http().post('/rest/v2/auth/refresh').expect(401);
    const [h, p] = token.split('.');
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    forged.roles = ['ADMINISTRATOR', 'X'];
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(bearer(`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${token.split('.')[2]}`))
      .expect(401);
    await t.http().get('/rest/v2/user/current').set(bearer('not.a.jwt')).expect(401);
  });

  it('rejects alg=none and HS256 tokens (algorithm pinned)', async () => {
    const { token } = await loginAsRootAdmin(t);
    const payload = token.split('.')[1];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    await t.http().get('/rest/v2/user/current').set(bearer(none)).expect(401);
  });

  it('accepts Basic login:password on protected routes; wrong password is 401 without a WWW-Authenticate challenge', async () => {
    const me = await t.http().get('/rest/v2/user/current').set(basic(ADMIN_LOGIN, ADMIN_PASSWORD)).expect(200);
    expect(body<NativeUserDto>(me).login).toBe(ADMIN_LOGIN);
    const bad = await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic('nobody-here', 'wrong-password-123'))
      .set('X-Requested-With', 'XMLHttpRequest')
      .expect(401);
    expect(bad.headers['www-authenticate']).toBeUndefined();
  });

  it('missing credentials on a protected route is 401 in the native shape', async () => {
    const res = await t.http().get('/rest/v2/user/current').expect(401);
    expect(res.body).toEqual({ message: 'Authentication required', code: 'AUTH_REQUIRED', status: 401, requestId: expect.any(String) });
    expect(res.headers['x-request-id']).toBe(body<{ requestId: string }>(res).requestId);
  });

  it('unknown user and wrong password answer the same status and body', async () => {
    const u = await createUser(t, 'root');
    const a = await t.http().post('/rest/v2/auth/login').send({ username: 'no-such-login', password: 'whatever-password' }).expect(401);
    const b = await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: 'wrong-password-xx' }).expect(401);
    const strip = (x: Record<string, unknown>) => ({ ...x, requestId: undefined });
    expect(strip(body(a))).toEqual(strip(body(b)));
    // iCure's AuthenticationResponse of a failed login (contract §2.5), within the native error shape.
    expect(a.body).toMatchObject({ successful: false, code: 'BAD_CREDENTIALS', status: 401 });
  });

  it('locks an account after consecutive failures, answering exactly like a wrong password; unlocks after the lock', async () => {
    const u = await createUser(t, 'root');
    const wrong = () => t.http().post('/rest/v2/auth/login').send({ username: u.login, password: 'not-the-password' });
    const bodies: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await wrong().expect(401);
      bodies.push({ ...r.body, requestId: undefined });
    }
    const locked = await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: u.password }).expect(401);
    expect({ ...locked.body, requestId: undefined }).toEqual(bodies[0]);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    clock.advance(31_000);
    await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: u.password }).expect(200);
  });

  it('disabling a user ends its sessions: its access token is 401 at once', async () => {
    const u = await createUser(t, 'root');
    const { token, refreshToken } = await loginAs(t, u);
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    await t.get(UsersService).setStatus(RequestContext.system('root'), u.user.id, 'DISABLED');
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(401);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', refreshToken).expect(401);
    await t.http().post('/rest/v2/auth/login').send({ username: u.login, password: u.password }).expect(401);
  });

  it('logs in users of a child group with groupId/login; the same login in two groups picks the requested group', async () => {
    const g1 = await createGroup(t);
    const g2 = await createGroup(t);
    const a = await createUser(t, g1, { login: 'shared-login' });
    await createUser(t, g2, { login: 'shared-login' });
    const r = await t
      .http()
      .post('/rest/v2/auth/login')
      .query({ groupId: g2.id })
      .send({ username: 'shared-login', password: a.password })
      .expect(200);
    expect(body<LoginBody>(r).groupId).toBe(g2.id);
    const r2 = await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${g1.id}/shared-login`, password: a.password })
      .expect(200);
    expect(body<LoginBody>(r2).groupId).toBe(g1.id);
  });

  it('check answers for credentials without opening a session', async () => {
    await t.http().post('/rest/v2/auth/check').send({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD }).expect(200);
    await t.http().post('/rest/v2/auth/check').send({ username: ADMIN_LOGIN, password: 'wrong-password-zz' }).expect(401);
  });

  describe('bad input', () => {
    it.each([
      ['malformed JSON', '{"username":', 'application/json', 400],
      ['unknown field', JSON.stringify({ username: 'a', password: 'b', extra: 1 }), 'application/json', 400],
      ['wrong type', JSON.stringify({ username: 12, password: 'b' }), 'application/json', 400],
      ['missing password', JSON.stringify({ username: 'admin' }), 'application/json', 400],
      ['null body', 'null', 'application/json', 400],
      ['array body', '[]', 'application/json', 400],
      ['unsupported media type', 'username=admin', 'application/x-www-form-urlencoded', 415],
    ])('%s -> %i in the native shape', async (_name, body, type, status) => {
      const res = await t.http().post('/rest/v2/auth/login').set('content-type', type).send(body).expect(status);
      expect(res.body).toMatchObject({ status, code: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toMatch(/node_modules|\/work\/|at .*\.js|SELECT|INSERT/);
    });

    it('an oversized body is 413', async () => {
      const res = await t
        .http()
        .post('/rest/v2/auth/login')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ username: 'x'.repeat(120 * 1024), password: 'y' }))
        .expect(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    });

    it('an unknown route is 404 in the native shape', async () => {
      const res = await t.http().get('/rest/v2/nothing-here').expect(404);
      expect(res.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404 });
    });
  });
});

describe('per-IP limit on auth routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { CAREGATE_AUTH_RATE_LIMIT: '3', CAREGATE_AUTH_RATE_WINDOW: '60' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the limit', async () => {
    for (let i = 0; i < 3; i++) await t.http().post('/rest/v2/auth/login').send({ username: 'x', password: 'y-long-password' }).expect(401);
    const res = await t.http().post('/rest/v2/auth/login').send({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
    // The budget is per route: another auth route from the same address still answers on its merits.
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', 'not-a-jwt').expect(401);
  });
});
