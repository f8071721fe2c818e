import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { call as callUrl, ensureBuilt, reachable, startBuilt, within } from '../../support/built-instance';

/**
 * Two instances of the built service (node dist/src/main.js) on one fresh PostgreSQL database and
 * the shared Redis, with a key prefix of their own so that parallel runs do not meet. Propagation
 * is polled in a bounded loop (never a fixed sleep) and must land within one second.
 */
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_PASSWORD = 'admin-password-for-two-instances';
const FAILURE_LIMIT = 60;
const ROUTE_LIMIT = 30;

interface Instance {
  url: string;
  stop(): Promise<void>;
}

/** Every 401 this file provokes (polls of refused tokens included) uses the loopback address's failure budget. */
let failuresSoFar = 0;

async function call(i: Instance, method: string, p: string, opts: { token?: string; basic?: string; body?: unknown } = {}) {
  const r = await callUrl(i.url, method, p, opts);
  if (r.status === 401) failuresSoFar++;
  return r;
}

const pgUp = reachable(async () => {
  const c = new Client({ connectionString: PG_URL });
  await c.connect();
  await c.end();
});
const redisUp = reachable(async () => {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  try {
    await r.connect();
  } finally {
    r.disconnect();
  }
});

describe('two built instances on one PostgreSQL and one Redis', () => {
  const dbName = `caregate_two_${randomBytes(5).toString('hex')}`;
  const prefix = `caregate-test-${randomBytes(5).toString('hex')}:`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-two-'));
  const instances: Instance[] = [];
  let skip = false;
  let adminToken = '';

  async function start(name: string): Promise<Instance> {
    const dataDir = path.join(tmp, name);
    fs.mkdirSync(dataDir);
    return startBuilt(name, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      CAREGATE_DATA_DIR: dataDir,
      DATABASE_URL: `${PG_URL.replace(/\/[^/]*$/, '')}/${dbName}`,
      REDIS_URL,
      CAREGATE_REDIS_PREFIX: prefix,
      CAREGATE_JWT_PRIVATE_KEY_FILE: path.join(tmp, 'signing-key.pem'),
      CAREGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAREGATE_ARGON2_MEMORY_KIB: '1024',
      CAREGATE_ARGON2_TIME_COST: '1',
      CAREGATE_AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
      CAREGATE_AUTH_RATE_LIMIT: String(ROUTE_LIMIT),
    });
  }

  beforeAll(async () => {
    if (!(await pgUp) || !(await redisUp)) {
      if (process.env.CI) throw new Error('PostgreSQL and Redis are required for the two-instance test');
      console.warn('Skipping the two-instance test: PostgreSQL or Redis not reachable');
      skip = true;
      return;
    }
    ensureBuilt();
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(path.join(tmp, 'signing-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    // One after the other: the first runs the migrations and the bootstrap, the second finds them done.
    instances.push(await start('one'));
    instances.push(await start('two'));
    const login = await call(instances[0], 'POST', '/rest/v2/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    adminToken = login.body.token as string;
  }, 240000);

  afterAll(async () => {
    for (const i of instances) await i.stop();
    if (!skip) {
      const admin = new Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 30000);

  const [one, two] = [() => instances[0], () => instances[1]];
  let n = 0;

  async function newUser(roles: string[] = []): Promise<{ id: string; login: string; password: string }> {
    const login = `two-${++n}-${randomBytes(3).toString('hex')}`;
    const password = `password-of-${login}`;
    const r = await call(one(), 'POST', '/rest/v2/user', { token: adminToken, body: { login, passwordHash: password, roles } });
    expect(r.status).toBe(200);
    return { id: r.body.id as string, login, password };
  }

  async function tokenOf(u: { login: string; password: string }): Promise<string> {
    const r = await call(one(), 'POST', '/rest/v2/auth/login', { body: { username: u.login, password: u.password } });
    expect(r.status).toBe(200);
    return r.body.token as string;
  }

  const refusedOnTwo = (token: string, p = '/rest/v2/user/current', status = 401) =>
    within(1000, async () => (await call(two(), 'GET', p, { token })).status === status);

  it('ASVS 7.4.1: a logout on instance 1 refuses the token on instance 2 within 1 s', async () => {
    if (skip) return;
    const token = await tokenOf(await newUser());
    expect((await call(two(), 'GET', '/rest/v2/user/current', { token })).status).toBe(200);
    expect((await call(one(), 'POST', '/rest/v2/auth/logout', { token })).status).toBe(200);
    expect(await refusedOnTwo(token)).toBeGreaterThanOrEqual(0);
  });

  it('ASVS 7.4.2: disabling a user on instance 1 refuses its token on instance 2 within 1 s', async () => {
    if (skip) return;
    const u = await newUser();
    const token = await tokenOf(u);
    expect((await call(two(), 'GET', '/rest/v2/user/current', { token })).status).toBe(200);
    const cur = await call(one(), 'GET', `/rest/v2/user/${u.id}`, { token: adminToken });
    expect((await call(one(), 'PUT', '/rest/v2/user', { token: adminToken, body: { ...cur.body, status: 'DISABLED' } })).status).toBe(200);
    expect(await refusedOnTwo(token)).toBeGreaterThanOrEqual(0);
  });

  it('ASVS 8.3.2: a role change on instance 1 is honoured by instance 2 within 1 s', async () => {
    if (skip) return;
    const u = await newUser(['ADMINISTRATOR']);
    const token = await tokenOf(u);
    expect((await call(two(), 'GET', '/rest/v2/user', { token })).status).toBe(200);
    const cur = await call(one(), 'GET', `/rest/v2/user/${u.id}`, { token: adminToken });
    expect((await call(one(), 'PUT', '/rest/v2/user', { token: adminToken, body: { ...cur.body, roles: [] } })).status).toBe(200);
    expect(await refusedOnTwo(token, '/rest/v2/user', 403)).toBeGreaterThanOrEqual(0);
  });

  it('50 parallel creates of one email over both instances: exactly one succeeds', async () => {
    if (skip) return;
    const email = `same-${randomBytes(4).toString('hex')}@example.org`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(i % 2 ? two() : one(), 'POST', '/rest/v2/user', { token: adminToken, body: { login: `par-${i}-${email}`, email } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
  });

  it('ASVS 6.3.1: the per-route auth limit is one budget for both instances', async () => {
    if (skip) return;
    const u = await newUser();
    const statuses: number[] = [];
    for (let i = 0; i < ROUTE_LIMIT + 1; i++) {
      const r = await call(i % 2 ? two() : one(), 'POST', '/rest/v2/auth/check', { body: { username: u.login, password: u.password } });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, ROUTE_LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses[ROUTE_LIMIT]).toBe(429);
  });

  // Last: it uses up the loopback address's failure budget on both instances.
  it('ASVS 6.3.1: failed authentications count in one per-IP budget over both instances', async () => {
    if (skip) return;
    const u = await newUser();
    const left = FAILURE_LIMIT - failuresSoFar;
    expect(left).toBeGreaterThan(2);
    for (let i = 0; i < left; i++) {
      const r = await call(i % 2 ? two() : one(), 'GET', '/rest/v2/user/current', { basic: `sprayed-${i}:wrong-password-${i}` });
      expect(r.status).toBe(401);
    }
    for (const i of [one(), two()]) {
      const r = await call(i, 'GET', '/rest/v2/user/current', { basic: `${u.login}:${u.password}` });
      expect(r.status).toBe(429);
    }
  });
});
