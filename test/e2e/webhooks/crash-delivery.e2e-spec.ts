import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../src/common/clock';
import { WebhookDispatcher } from '../../../src/webhooks/webhook-dispatcher';
import { basic, createAdmin, createGroup, TestUser, uniq } from '../../support/fixtures';
import { startApp, TEST_ENV, TestApp } from '../../support/test-app';
import { closeSinks, startSink } from '../../support/webhook-sink';
import { body } from '../../support/body';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Starts the service in a child process on the test database; resolves with its port. */
function startChild(t: TestApp, dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'test', 'support', 'serve-child.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...TEST_ENV,
      CAREGATE_DATA_DIR: dataDir,
      CAREGATE_WEBHOOK_WORKER: 'true',
      CAREGATE_WEBHOOK_POLL_MS: '50',
      CAREGATE_WEBHOOK_TIMEOUT_MS: '1000',
      CAREGATE_WEBHOOK_ALLOW_PRIVATE: 'true',
      ...(t.db.databaseUrl ? { DATABASE_URL: t.db.databaseUrl } : { TEST_SQLITE_FILE: t.db.sqliteFile }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`)));
  });
}

/** Waits (bounded) for a condition another process makes true. */
async function until(cond: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhook delivery across a kill -9 of the service', () => {
  let t: TestApp;
  const clock = new FakeClock(Date.now());
  let admin: TestUser;
  let groupId: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-child-'));

  beforeAll(async () => {
    t = await startApp({ clock, env: { CAREGATE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    groupId = (await createGroup(t)).id;
    admin = await createAdmin(t, groupId);
  });
  afterEach(closeSinks);
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an event whose delivery was in flight when the process died is delivered after restart', async () => {
    // The first request never gets an answer: the child is killed while it waits for it.
    const sink = await startSink(({ n }) => (n === 0 ? 0 : 204));
    const auth = basic(admin.login, admin.password);
    await t.get(WebhookDispatcher).runOnce(); // the fixtures' events are not this hook's business
    await t
      .http()
      .post(`/rest/v2/webhook/inGroup/${groupId}`)
      .set(auth)
      .send({ url: sink.url, eventTypes: ['user.created'] })
      .expect(200);
    const { child, port } = await startChild(t, dataDir);
    let created: { id: string };
    try {
      const res = await fetch(`http://127.0.0.1:${port}/rest/v2/user`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ login: uniq('crash') }),
      });
      expect(res.status).toBe(200);
      created = (await res.json()) as { id: string };
      await until(() => sink.pending() > 0);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    expect(sink.received).toHaveLength(0);
    // Restarted: the lease of the dead worker runs out, the next worker delivers.
    clock.set(Date.now() + 60_000);
    await t.get(WebhookDispatcher).runOnce();
    expect(sink.received.map((r) => [r.status, (JSON.parse(r.body) as { data: { subject: { id: string } } }).data.subject.id])).toEqual([
      [204, created.id],
    ]);
    const [d] = body<{ id: string }[]>(await t.http().get(`/rest/v2/webhook/inGroup/${groupId}`).set(auth).expect(200));
    const deliveries = body<{ status: string; attempts: number }[]>(
      await t.http().get(`/rest/v2/webhook/inGroup/${groupId}/${d.id}/deliveries`).set(auth).expect(200),
    );
    expect(deliveries).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    await sink.close();
  });
});
