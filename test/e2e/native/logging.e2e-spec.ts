import { bearer, loginAsRootAdmin } from '../../support/fixtures';
import { ADMIN_PASSWORD, startApp, TestApp } from '../../support/test-app';
import { expect } from '@jest/globals';

interface LogLine {
  level: string;
  time: string;
  msg: string;
  reqId?: string;
  context?: string;
  method?: string;
  route?: string | null;
  statusCode?: number;
  responseTimeMs?: number;
}

describe('one JSON log format on stdout (Nest and Fastify through one pino logger)', () => {
  const raw: string[] = [];
  const lines = () => raw.join('').split('\n').filter(Boolean);
  const parsed = () => lines().map((l) => JSON.parse(l) as LogLine);
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { LOG_LEVEL: 'info' }, logDestination: { write: (s: string) => void raw.push(s) } });
  });
  afterAll(() => t.close());

  it('every line is JSON with a level label, an ISO time and a message, Nest lines included', () => {
    expect(lines().length).toBeGreaterThan(0);
    for (const l of parsed()) {
      expect(typeof l.level).toBe('string');
      expect(l.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(typeof l.msg).toBe('string');
    }
    expect(parsed()).toContainEqual(
      expect.objectContaining({
        level: 'info',
        context: 'Bootstrap',
        msg: expect.stringContaining('Created the root group and administrator'),
      }),
    );
  });

  it('one line per request with request id, route pattern, status and latency', async () => {
    const { token } = await loginAsRootAdmin(t);
    const me = await t.http().get('/rest/v2/user/current').set(bearer(token)).set('x-request-id', 'log-test-1').expect(200);
    const miss = await t.http().get('/rest/v2/user/no-such-user-id').set(bearer(token)).expect(404);
    const forMe = parsed().filter((l) => l.reqId === me.headers['x-request-id']);
    expect(forMe).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request completed', method: 'GET', route: '/rest/v2/user/current', statusCode: 200 }),
    ]);
    expect(typeof forMe[0].responseTimeMs).toBe('number');
    expect(parsed().filter((l) => l.reqId === miss.headers['x-request-id'])).toEqual([
      expect.objectContaining({ route: '/rest/v2/user/:userId', statusCode: 404 }),
    ]);
  });

  it('logs no secret: passwords, tokens and token-bearing URLs stay out', async () => {
    const { token, refreshToken } = await loginAsRootAdmin(t);
    await t.http().get('/v1/users/passwords/validate').query({ token: 'reset-token-not-for-logs' });
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    const all = raw.join('');
    expect(all).toContain('request completed');
    for (const secret of [ADMIN_PASSWORD, token, refreshToken, 'reset-token-not-for-logs'].filter(Boolean))
      expect(all).not.toContain(secret);
  });
});
