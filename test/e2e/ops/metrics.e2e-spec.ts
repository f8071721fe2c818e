import request from 'supertest';
import { bearer, createGroup, createUser, DEFAULT_PASSWORD, loginAs } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';
import { MetricsService } from '../../../src/metrics/metrics.service';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of one series in a Prometheus text exposition (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics (Prometheus) behind a bearer token', () => {
  let t: TestApp;
  const scrape = async () => (await t.http().get('/metrics').set(bearer(TOKEN)).expect(200)).text;

  beforeAll(async () => {
    t = await startApp({ env: { CAREGATE_METRICS_TOKEN: TOKEN, CAREGATE_LOCKOUT_THRESHOLD: '2' } });
  });
  afterAll(() => t?.close());

  it('401 without or with a wrong token', async () => {
    await t.http().get('/metrics').expect(401);
    await t
      .http()
      .get('/metrics')
      .set(bearer(`${TOKEN}x`))
      .expect(401);
  });

  it('exposes process metrics and moves the HTTP, login, hashing, token and revocation series', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const twoFa = await createUser(t, g, { fields: { use2fa: true, secret: 'JBSWY3DPEHPK3PXP' } });
    const locked = await createUser(t, g);
    const before = await scrape();
    expect(before).toContain('caregate_process_cpu_user_seconds_total');
    expect(before).toContain('# TYPE caregate_http_request_duration_seconds histogram');

    const tokens = await loginAs(t, u);
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(200);
    await t.http().get('/rest/v2/user/current').set(bearer(tokens.token)).expect(200);
    await t.http().get('/rest/v2/user/current').set(bearer('not.a.token')).expect(401);
    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${g.id}/${u.login}`, password: 'wrong-password-here' })
      .expect(401);
    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${g.id}/${twoFa.login}`, password: DEFAULT_PASSWORD });
    for (let i = 0; i < 2; i++)
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${g.id}/${locked.login}`, password: 'wrong-password-here' })
        .expect(401);
    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${g.id}/${locked.login}`, password: DEFAULT_PASSWORD })
      .expect(401);
    await t.http().post('/rest/v2/auth/logout').set(bearer(tokens.token));
    await t.http().get(`/rest/v2/user/${u.user.id}`).set(bearer('x'));

    const after = await scrape();
    const delta = (s: string) => value(after, s) - value(before, s);
    expect(delta('caregate_login_attempts_total{outcome="success"}')).toBeGreaterThanOrEqual(1);
    expect(delta('caregate_login_attempts_total{outcome="bad_credentials"}')).toBeGreaterThanOrEqual(3);
    expect(delta('caregate_login_attempts_total{outcome="locked"}')).toBe(1);
    expect(delta('caregate_login_attempts_total{outcome="second_factor_required"}')).toBe(1);
    expect(delta('caregate_password_hash_duration_seconds_count{op="verify",algorithm="argon2"}')).toBeGreaterThanOrEqual(5);
    expect(delta('caregate_token_verifications_total{result="valid"}')).toBeGreaterThanOrEqual(1);
    expect(delta('caregate_token_verifications_total{result="cache_hit"}')).toBeGreaterThanOrEqual(1);
    expect(delta('caregate_token_verifications_total{result="invalid"}')).toBeGreaterThanOrEqual(1);
    expect(delta('caregate_session_revocations_total{source="local"}')).toBeGreaterThanOrEqual(1);
    // Route templates, not raw URLs: ids never become label values.
    expect(delta('caregate_http_request_duration_seconds_count{method="POST",route="/rest/v2/auth/login",status_code="200"}')).toBe(1);
    expect(delta('caregate_http_request_duration_seconds_count{method="GET",route="/rest/v2/user/:userId",status_code="401"}')).toBe(1);
    expect(after).not.toContain(u.user.id);
    expect(value(after, 'caregate_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
  });
});

describe('metrics on a separate port (CAREGATE_METRICS_PORT)', () => {
  it('serves /metrics there without a token, and not on the API port', async () => {
    const t = await startApp({ env: { CAREGATE_METRICS_PORT: '0', HOST: '127.0.0.1' } });
    try {
      await t.http().get('/metrics').expect(404);
      const port = t.get(MetricsService).serverPort;
      expect(port).toBeGreaterThan(0);
      const res = await request(`http://127.0.0.1:${port}`).get('/metrics').expect(200);
      expect(res.text).toContain('caregate_process_resident_memory_bytes');
      await request(`http://127.0.0.1:${port}`).get('/other').expect(404);
    } finally {
      await t.close();
    }
  });

  it('is off (404) when neither a token nor a port is configured, and a short token is a configuration error', async () => {
    const t = await startApp();
    try {
      await t.http().get('/metrics').set(bearer(TOKEN)).expect(404);
    } finally {
      await t.close();
    }
    await expect(startApp({ env: { CAREGATE_METRICS_TOKEN: 'short' } })).rejects.toThrow(/CAREGATE_METRICS_TOKEN/);
  });
});
