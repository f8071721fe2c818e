import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuiltInstance, call, ensureBuilt, startBuilt } from '../support/built-instance';

/**
 * The built service at LOG_LEVEL=debug, its whole stdout and stderr captured: after logins,
 * Basic calls, refreshes, failed attempts, app tokens and password changes, no password, token,
 * Authorization value or hash appears in the log (ASVS 16.2.5).
 */
describe('secrets in the log', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-log-'));
  const ADMIN_PASSWORD = `admin-${randomBytes(8).toString('hex')}`;
  let svc: BuiltInstance;

  beforeAll(async () => {
    ensureBuilt();
    svc = await startBuilt('log', {
      NODE_ENV: 'development',
      LOG_LEVEL: 'debug',
      CAREGATE_DATA_DIR: tmp,
      CAREGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAREGATE_ARGON2_MEMORY_KIB: '1024',
      CAREGATE_ARGON2_TIME_COST: '1',
    });
  }, 180000);
  afterAll(async () => {
    await svc?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ASVS 16.2.5: no password, token, Authorization value or hash is logged', async () => {
    const secrets: string[] = [ADMIN_PASSWORD];
    const login = await call(svc.url, 'POST', '/rest/v2/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const refresh = login.body.refreshToken as string;
    secrets.push(token, refresh, token.split('.')[2], refresh.split('.')[2]);
    const userPassword = `user-${randomBytes(8).toString('hex')}`;
    const created = await call(svc.url, 'POST', '/rest/v2/user', { token, body: { login: 'logged-user', passwordHash: userPassword } });
    expect(created.status).toBe(200);
    secrets.push(userPassword);
    const basicValue = Buffer.from(`logged-user:${userPassword}`).toString('base64');
    secrets.push(basicValue);
    expect((await call(svc.url, 'GET', '/rest/v2/user/current', { basic: `logged-user:${userPassword}` })).status).toBe(200);
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    secrets.push(wrong);
    expect((await call(svc.url, 'GET', '/rest/v2/user/current', { basic: `logged-user:${wrong}` })).status).toBe(401);
    expect((await call(svc.url, 'POST', '/rest/v2/auth/login', { body: { username: 'logged-user', password: wrong } })).status).toBe(401);
    expect((await call(svc.url, 'POST', '/rest/v2/auth/refresh', { headers: { 'Refresh-Token': refresh } })).status).toBe(200);
    const appToken = await call(svc.url, 'POST', `/rest/v2/user/token/${created.body.id as string}/k`, { token });
    secrets.push(appToken.text);
    expect((await call(svc.url, 'GET', '/rest/v2/user/current', { basic: `logged-user:${appToken.text}` })).status).toBe(200);
    const newPassword = `new-${randomBytes(8).toString('hex')}`;
    secrets.push(newPassword);
    const cur = await call(svc.url, 'GET', `/rest/v2/user/${created.body.id as string}`, { token });
    expect((await call(svc.url, 'PUT', '/rest/v2/user', { token, body: { ...cur.body, passwordHash: newPassword } })).status).toBe(200);
    expect(
      (await call(svc.url, 'GET', '/rest/v2/user/current', { headers: { Authorization: 'Bearer forged.invalid.token' } })).status,
    ).toBe(401);

    const log = svc.output.join('');
    expect(log.length).toBeGreaterThan(0);
    for (const s of secrets) expect({ secret: s.slice(0, 6), found: log.includes(s) }).toEqual({ secret: s.slice(0, 6), found: false });
    expect(log).not.toMatch(/\$argon2/);
    expect(log).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  }, 60000);
});
