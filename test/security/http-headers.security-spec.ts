import { ADMIN_LOGIN, ADMIN_PASSWORD, startApp, TestApp } from '../support/test-app';
import { basic, loginAsRootAdmin } from '../support/fixtures';
import { body } from '../support/body';

const preflight = (t: TestApp, origin: string) =>
  t.http().options('/rest/v2/user/current').set('Origin', origin).set('Access-Control-Request-Method', 'GET');

describe('HTTP hardening: headers, CORS, API docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('ASVS 14.3.2: auth and authenticated answers, errors included, carry Cache-Control: no-store', async () => {
    const login = await t.http().post('/rest/v2/auth/login').send({ username: ADMIN_LOGIN, password: ADMIN_PASSWORD }).expect(200);
    const { refreshToken } = login.body as { refreshToken: string };
    const answers = [
      login,
      await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', refreshToken).expect(200),
      await t.http().get('/rest/v2/user/current').set(basic(ADMIN_LOGIN, ADMIN_PASSWORD)).expect(200),
      await t.http().get('/rest/v2/user/current').expect(401),
      await t.http().post('/rest/v2/auth/login').send({ username: ADMIN_LOGIN, password: 'a-wrong-password-here' }).expect(401),
      await t.http().get('/v1/users/me').set('X-User-Token', body<{ token: string }>(login).token),
    ];
    for (const r of answers) expect(r.headers['cache-control']).toBe('no-store');
  });

  it('ASVS 3.4.4/3.4.5/3.4.3: nosniff, Referrer-Policy and a CSP without inline scripts on the API and the Swagger page', async () => {
    for (const path of ['/rest/v2/user/current', '/api', '/health/live']) {
      const r = await t.http().get(path);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy']).toContain("object-src 'none'");
      expect(r.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
  });

  it("helmet's whole header set, on answers, errors, 404s and Swagger UI alike (computed once at boot)", async () => {
    const expected = {
      'content-security-policy':
        "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self' data:;form-action 'self';frame-ancestors 'none';" +
        "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-site',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    const { token } = await loginAsRootAdmin(t);
    const answers = [
      await t.http().get('/rest/v2/user/current').set('Authorization', `Bearer ${token}`).expect(200),
      await t.http().get('/rest/v2/user/current').expect(401),
      await t.http().get('/no/such/route').expect(404),
      await t.http().get('/api'),
    ];
    for (const r of answers) expect(r.headers).toMatchObject(expected);
  });

  it('ASVS 3.4.2: development reflects a real origin without credentials, never the null origin', async () => {
    const ok = await preflight(t, 'https://app.example.org').expect(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const nul = await preflight(t, 'null');
    expect(nul.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await t.http().get('/rest/v2/user/current').set('Origin', 'null');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe('configured', () => {
    let prod: TestApp;
    let listed: TestApp;
    beforeAll(async () => {
      prod = await startApp({ env: { NODE_ENV: 'production', CAREGATE_API_DOCS: 'false' } });
      listed = await startApp({
        env: { CAREGATE_CORS_ORIGINS: 'https://a.example.org, https://b.example.org:8443', CAREGATE_CORS_CREDENTIALS: 'true' },
      });
    });
    afterAll(async () => {
      await prod?.close();
      await listed?.close();
    });

    it('ASVS 3.4.2: production allows no origin unless configured', async () => {
      const r = await preflight(prod, 'https://app.example.org');
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      const g = await prod.http().get('/health/live').set('Origin', 'https://app.example.org');
      expect(g.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('ASVS 3.4.2: an allowlist admits its origins only; credentials only because configured', async () => {
      const a = await preflight(listed, 'https://b.example.org:8443').expect(204);
      expect(a.headers['access-control-allow-origin']).toBe('https://b.example.org:8443');
      expect(a.headers['access-control-allow-credentials']).toBe('true');
      for (const origin of ['https://evil.example.org', 'null', 'https://a.example.org.evil.example']) {
        const r = await preflight(listed, origin);
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('ASVS 13.4.5: CAREGATE_API_DOCS=false removes /api and /api-json', async () => {
      await prod.http().get('/api').expect(404);
      await prod.http().get('/api-json').expect(404);
      await loginAsRootAdmin(prod);
    });
  });
});
