import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../../src/app.factory';
import { loadConfig } from '../../../src/config/config';
import { ROOT_GROUP_ID } from '../../../src/provisioning/bootstrap.service';
import { body } from '../../support/body';
import { freePort } from '../../support/built-instance';
import { bearer, createAdmin, createGroup, createUser, loginAs, TestUser } from '../../support/fixtures';
import { TEST_ENV, TestApp } from '../../support/test-app';

/**
 * A PostgreSQL outage during load, on a PRIVATE cluster (initdb + pg_ctl in a temp dir, own port):
 * requests that need the database answer 503 + Retry-After in their profile's shape within 5 s,
 * liveness stays 200 and readiness 503; after the cluster returns the service recovers by itself
 * and every write it acknowledged reads back.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const WORKERS = 4;
const WRITES_PER_WORKER = 60;
/** The bound of the issue: a request during the outage must be answered within this. */
const ANSWER_WITHIN_MS = 5000;

const run = fs.existsSync(path.join(BIN, 'pg_ctl')) ? describe : describe.skip;

run('PostgreSQL outage (private cluster)', () => {
  let dir: string;
  let port: number;
  let t: TestApp;
  let admin: string;
  const writers: { user: TestUser; token: string }[] = [];
  /** Property writes answered 2xx, per user: they must all read back after the outage. */
  const acknowledged = new Map<string, Map<string, string>>();
  const statuses: Record<number, number> = {};

  // initdb refuses root: as root, the cluster belongs to the postgres user.
  const asOwner = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });
  const pgCtl = (...args: string[]) => asOwner(path.join(BIN, 'pg_ctl'), ['-D', path.join(dir, 'data'), ...args]);
  const startCluster = () =>
    pgCtl('-w', '-t', '60', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-pg-'));
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    port = await freePort();
    asOwner(path.join(BIN, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    startCluster();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-data-'));
    const config = loadConfig({ ...TEST_ENV, CAREGATE_DATA_DIR: dataDir, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });
    const app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    t = {
      app,
      config,
      db: { databaseUrl: config.databaseUrl, sqliteFile: '', drop: () => Promise.resolve() },
      url: '',
      http: () => request(app.getHttpServer()),
      get: (type) => app.get(type as never),
      close: async () => {
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
    const g = await createGroup(t);
    for (let i = 0; i < WORKERS; i++) {
      const user = await createUser(t, g, { email: `w${i}@example.com` });
      writers.push({ user, token: (await loginAs(t, user)).token });
      acknowledged.set(user.user.id, new Map());
    }
    admin = (await loginAs(t, await createAdmin(t, ROOT_GROUP_ID))).token;
  }, 120000);

  afterAll(async () => {
    await t?.close().catch(() => undefined);
    if (dir) {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** One property write; its outcome is recorded, and a 5xx other than 503 fails the test. */
  async function write(w: (typeof writers)[number], key: string): Promise<number> {
    const value = `v-${key}`;
    const res = await t
      .http()
      .put(`/rest/v2/user/${w.user.user.id}/properties`)
      .set(bearer(w.token))
      .timeout(ANSWER_WITHIN_MS)
      .send([{ type: { identifier: key, type: 'STRING' }, typedValue: { type: 'STRING', stringValue: value } }]);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 200) acknowledged.get(w.user.user.id)!.set(key, value);
    else expectUnavailable(res, 'native');
    return res.status;
  }

  function expectUnavailable(res: request.Response, profile: 'native' | 'accounts' | 'infermedica' | 'nabla'): void {
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    if (profile === 'native' || profile === 'nabla') expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    if (profile === 'accounts') expect(typeof body<{ errors?: unknown }>(res).errors).toBe('string');
    if (profile === 'infermedica') expect(typeof body<{ detail?: unknown }>(res).detail).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.js|SELECT/);
  }

  it('answers 503 with Retry-After during the outage, keeps liveness, and recovers with nothing lost', async () => {
    // load: every worker writes its own keys; the cluster stops once a third of them are acknowledged
    let stopped = false;
    const stopAfter = (WORKERS * WRITES_PER_WORKER) / 3;
    const load = writers.map(async (w, wi) => {
      for (let i = 0; i < WRITES_PER_WORKER; i++) {
        await write(w, `k${wi}-${i}`);
        const acked = [...acknowledged.values()].reduce((n, m) => n + m.size, 0);
        if (!stopped && acked >= stopAfter) {
          stopped = true;
          pgCtl('-m', 'immediate', 'stop');
        }
      }
    });
    await Promise.all(load);
    expect(stopped).toBe(true);
    expect(statuses[503]).toBeGreaterThan(0);
    expect(Object.keys(statuses).map(Number).sort()).toEqual([200, 503]);

    // every profile answers in its own shape, within the bound
    const [w] = writers;
    expectUnavailable(await t.http().get('/rest/v2/user/current').set(bearer(w.token)).timeout(ANSWER_WITHIN_MS), 'native');
    expectUnavailable(await t.http().get(`/rest/v2/user/${w.user.user.id}`).set(bearer(w.token)).timeout(ANSWER_WITHIN_MS), 'native');
    expectUnavailable(
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${w.user.groupId}/${w.user.login}`, password: w.user.password })
        .timeout(ANSWER_WITHIN_MS),
      'native',
    );
    expectUnavailable(await t.http().get('/v1/users').set('X-User-Token', admin).timeout(ANSWER_WITHIN_MS), 'accounts');
    expectUnavailable(
      await t.http().get(`/api/mgp/v1/users/${w.user.user.id}`).set(bearer(admin)).timeout(ANSWER_WITHIN_MS),
      'infermedica',
    );
    expectUnavailable(
      await t.http().get(`/v1/copilot-api/server/users/${w.user.user.id}`).set(bearer(admin)).timeout(ANSWER_WITHIN_MS),
      'nabla',
    );
    await t.http().get('/health').timeout(ANSWER_WITHIN_MS).expect(200);
    await t.http().get('/health/ready').timeout(ANSWER_WITHIN_MS).expect(503);

    // the database returns: the service recovers by itself (bounded wait for the pool to reconnect)
    startCluster();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await t.http().get('/health/ready').timeout(ANSWER_WITHIN_MS)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(200);

    // nothing acknowledged is lost, and writes work again
    for (const wr of writers) {
      const res = await t.http().get(`/rest/v2/user/${wr.user.user.id}`).set(bearer(wr.token)).expect(200);
      const stored = new Map(
        body<{ properties: { type: { identifier: string }; typedValue: { stringValue: string } }[] }>(res).properties.map((p) => [
          p.type.identifier,
          p.typedValue.stringValue,
        ]),
      );
      for (const [key, value] of acknowledged.get(wr.user.user.id)!) expect([key, stored.get(key)]).toEqual([key, value]);
    }
    expect(await write(w, 'after-recovery')).toBe(200);
    process.stdout.write(`pg outage: private cluster on port ${port}, write outcomes ${JSON.stringify(statuses)}\n`);
  }, 120000);

  it('a database too slow to answer (a table locked by another session) is a 503 within the bound, then serves again', async () => {
    const [w] = writers;
    const blocker = new Client({ connectionString: t.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      // more requests than pool connections: the later ones wait for a connection, not for the lock
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => t.http().get(`/rest/v2/user/${w.user.user.id}`).set(bearer(w.token)).timeout(ANSWER_WITHIN_MS)),
      );
      for (const res of answers) expectUnavailable(res, 'native');
      await t.http().get('/health').timeout(ANSWER_WITHIN_MS).expect(200);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
    await t.http().get(`/rest/v2/user/${w.user.user.id}`).set(bearer(w.token)).timeout(ANSWER_WITHIN_MS).expect(200);
  }, 60000);
});
