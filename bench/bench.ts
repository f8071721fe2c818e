/**
 * `npm run bench [-- --users N]`: the scale benchmark. On SQLite (and on PostgreSQL when
 * DATABASE_URL or TEST_DATABASE_URL is set) it starts the built service on a fresh database, seeds
 * users and groups directly through the database layer, and measures from outside over HTTP:
 *   1. p50/p99 of each call at 10k users / 10 groups and at N users (default 1,000,000) / 100,000 groups;
 *   2. password logins/s against bare argon2.verify calls/s at the same parameters and concurrency;
 *   3. authenticated GET /rest/v2/user/{id} per second against a plain node:http server (and, on
 *      PostgreSQL, node:http + pg running the same primary-key SELECT), interleaved rounds, medians;
 *      Beside them, bare Fastify running the same SELECT (the floor of the stack the service is built on);
 *   4. refreshes/s.
 * Writes docs/benchmarks.md and docs/benchmarks.svg. Not part of `npm test`: speed is measured, not asserted.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as argon2 from 'argon2';
import { Db, openPg, openSqlite, pad, seedAdmin, seedGroups, seedUsers, userId, withoutIndexes } from './scale';
import { Extra, renderReport, Row } from './report';

const ROOT = path.join(__dirname, '..', '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 4);
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('users', 1_000_000);
const GROUPS = arg('groups', 100_000);
const ROUNDS = arg('rounds', 5);
const PASSWORD = 'bench-admin-password-0001';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface CannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  latency: { p99: number };
}

function autocannon(args: string[]): Promise<CannonResult> {
  return new Promise((resolve, reject) => {
    const bin = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
    const child = spawn(process.execPath, [bin, '--json', '-d', String(DURATION), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as CannonResult) : reject(new Error(`autocannon exited ${code}`))));
  });
}

/** Bare argon2.verify throughput with `concurrency` calls in flight (as many as the login bench's connections). */
async function bareArgon2(hash: string, concurrency: number): Promise<number> {
  const end = Date.now() + DURATION * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await argon2.verify(hash, PASSWORD);
        count++;
      }
    }),
  );
  return count / DURATION;
}

/** Clock ticks per second of /proc's CPU times. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) a process has used so far, all its threads, or with `thread` that one
 * thread alone (its main thread has the process's id); 0 once it is gone.
 */
function cpuSeconds(pid: number, thread?: number): number {
  try {
    // Fields after the command name: state is the first, utime and stime the 12th and 13th.
    const stat = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by every PostgreSQL server process on the machine (backends and helpers). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(p));
    } catch {
      /* gone */
    }
  }
  return total;
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * The service runs as `npm run start:prod` runs it: that script's environment assignments and node
 * flags (package.json is the one place they are written).
 */
function startCommand(): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts['start:prod'].split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes('=')) {
    const [k, v] = words.shift()!.split('=');
    env[k] = v;
  }
  if (words.shift() !== 'node') throw new Error('start:prod does not run node');
  return { env, flags: words.filter((w) => w.startsWith('--')) };
}

function startNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const start = startCommand();
  return spawn(process.execPath, [...start.flags, ...args], {
    env: { ...process.env, ...start.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

interface Http {
  base: string;
  call(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; json: unknown }>;
}

function http(base: string): Http {
  return {
    base,
    async call(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const init = { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) };
      // A keep-alive socket the server closed while the bench was seeding fails once: retry on a new one.
      const r = await fetch(base + url, init).catch(() => fetch(base + url, init));
      const text = await r.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        /* text */
      }
      return { status: r.status, json };
    },
  };
}

async function login(h: Http, username: string): Promise<{ token: string; refreshToken: string; userId: string }> {
  const r = await h.call('POST', '/rest/v2/auth/login', { body: { username, password: PASSWORD } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  const j = r.json as { token: string; refreshToken: string; user: { id: string } };
  return { token: j.token, refreshToken: j.refreshToken, userId: j.user?.id };
}

/** What one service's calls need: tokens, a page cursor, the deepest group and its parent. */
interface Subject {
  h: Http;
  n: number;
  prefix: string;
  deepest: string;
  root: { token: string };
  admin: { token: string; refreshToken: string };
  next: { startKey: string; startKeyDocId: string };
  parent: string;
  tag: string;
  count: number;
}

async function subject(h: Http, n: number, prefix: string, deepest: string, tag: string): Promise<Subject> {
  const root = await login(h, 'admin');
  const admin = await login(h, 'bench/bench-admin');
  const first = (await h.call('GET', '/rest/v2/user?limit=50', { token: admin.token })).json as {
    nextKeyPair: { startKey: string; startKeyDocId: string };
  };
  const parentOf = (await h.call('GET', `/rest/v2/group/${deepest}`, { token: root.token })).json as { superGroup: string };
  return { h, n, prefix, deepest, root, admin, next: first.nextKeyPair, parent: parentOf.superGroup, tag, count: 0 };
}

type Call = (s: Subject, i: number) => Promise<{ status: number; json: unknown }>;

const rnd = (s: Subject, i: number) => (i * 7919 + 13) % s.n;

/**
 * The measured calls, with how many samples each takes per round on each service. The group calls
 * of issue 16's item 2 are held to 1.2x at p95 as well as p50: they take 100 samples per round
 * (500 per service), so that their p95 is not the 8th-largest of 150 samples on a shared machine.
 */
const CALLS: [string, number, Call][] = [
  [
    'login (password)',
    12,
    (s, i) => s.h.call('POST', '/rest/v2/auth/login', { body: { username: `user${pad(rnd(s, i))}`, password: PASSWORD } }),
  ],
  ['list first page', 40, (s) => s.h.call('GET', '/rest/v2/user?limit=50', { token: s.admin.token })],
  [
    'list next page',
    40,
    (s) =>
      s.h.call('GET', `/rest/v2/user?limit=50&startKey=${s.next.startKey}&startDocumentId=${s.next.startKeyDocId}`, {
        token: s.admin.token,
      }),
  ],
  [
    'list deep page',
    40,
    (s) => {
      const mid = Math.floor(s.n / 2);
      return s.h.call('GET', `/rest/v2/user?limit=50&startKey=user${pad(mid)}&startDocumentId=${userId(mid)}`, { token: s.admin.token });
    },
  ],
  ['byEmail', 60, (s, i) => s.h.call('GET', `/rest/v2/user/byEmail/user${pad(rnd(s, i))}%40bench.example`, { token: s.admin.token })],
  [
    'text-search filter',
    40,
    (s, i) =>
      s.h.call('POST', '/rest/v2/user/filter?limit=50', {
        token: s.admin.token,
        body: { filter: { $type: 'UserByNameEmailPhoneFilter', searchString: `ln${1000 + (i % 9)}` } },
      }),
  ],
  [
    // `fn5` matches a full page at both sizes (first names fn5, fn50..fn59, fn500..fn599: 111 keys), so
    // this row compares the same work; `ln100x` above returns about 10 rows at 10k and 50 at N.
    'text-search filter (full page both)',
    40,
    (s) =>
      s.h.call('POST', '/rest/v2/user/filter?limit=50', {
        token: s.admin.token,
        body: { filter: { $type: 'UserByNameEmailPhoneFilter', searchString: 'fn5' } },
      }),
  ],
  [
    'all-users filter, first page',
    40,
    (s) => s.h.call('POST', '/rest/v2/user/filter?limit=50', { token: s.admin.token, body: { filter: { $type: 'AllUsersFilter' } } }),
  ],
  [
    // From an id in the middle of the group (startDocumentId): a keyset seek, not an offset.
    'all-users filter, deep page',
    40,
    (s, i) =>
      s.h.call('POST', `/rest/v2/user/filter?limit=50&startDocumentId=${userId(rnd(s, i))}`, {
        token: s.admin.token,
        body: { filter: { $type: 'AllUsersFilter' } },
      }),
  ],
  ['getById', 100, (s, i) => s.h.call('GET', `/rest/v2/user/${userId(rnd(s, i))}`, { token: s.admin.token })],
  ['refresh', 60, (s) => s.h.call('POST', '/rest/v2/auth/refresh', { headers: { 'refresh-token': s.admin.refreshToken } })],
  [
    'group create',
    100,
    (s) => s.h.call('POST', `/rest/v2/group/${s.tag}new${s.count++}?name=New${s.count}`, { token: s.root.token, body: null }),
  ],
  ['group rename', 100, (s, i) => s.h.call('PUT', `/rest/v2/group/${s.deepest}/name/Renamed${i}`, { token: s.root.token })],
  [
    'group move (leaf)',
    100,
    (s) => s.h.call('PUT', `/rest/v2/group/${s.deepest}/parent/${s.count++ % 2 === 0 ? 'bench' : s.parent}`, { token: s.root.token }),
  ],
  ['group children (1,001)', 100, (s) => s.h.call('GET', `/rest/v2/group/${s.prefix}wide/children?limit=50`, { token: s.root.token })],
  ['inGroup list (deepest)', 100, (s) => s.h.call('GET', `/rest/v2/user/inGroup/${s.deepest}?limit=50`, { token: s.root.token })],
  [
    'login in deepest group',
    12,
    (s) => s.h.call('POST', '/rest/v2/auth/login', { body: { username: `${s.deepest}/deep-user`, password: PASSWORD } }),
  ],
];

/** One timed call; a non-2xx answer aborts the run (a benchmark of errors is worthless). */
async function timed(call: Call, s: Subject, i: number): Promise<number> {
  const t0 = performance.now();
  const r = await call(s, i);
  const ms = performance.now() - t0;
  if (r.status >= 300) throw new Error(`status ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
  return ms;
}

/**
 * Each call, in turn, on both services: a few warm-up calls on each, then `rounds` rounds in which
 * the two services are called alternately (a, b, a, b...), so that whatever else the machine does
 * weighs on both alike. p50 = median of the rounds' medians; p95/p99 over all samples.
 */
async function measureInterleaved(a: Subject, b: Subject, rounds: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [name, k, call] of CALLS) {
    for (let i = 0; i < 3; i++) {
      await timed(call, a, 100_000 + i);
      await timed(call, b, 100_000 + i);
    }
    const meds: [number[], number[]] = [[], []];
    const all: [number[], number[]] = [[], []];
    for (let r = 0; r < rounds; r++) {
      const xs: [number[], number[]] = [[], []];
      for (let i = 0; i < k; i++) {
        const j = r * k + i;
        xs[0].push(await timed(call, a, j));
        xs[1].push(await timed(call, b, j));
      }
      for (const side of [0, 1]) {
        meds[side].push(median(xs[side]));
        all[side].push(...xs[side]);
      }
    }
    rows.push({
      call: name,
      p50a: median(meds[0]),
      p95a: pct(all[0], 95),
      p99a: pct(all[0], 99),
      p50b: median(meds[1]),
      p95b: pct(all[1], 95),
      p99b: pct(all[1], 99),
    });
    console.error(`  ${name}: ${median(meds[0]).toFixed(2)} -> ${median(meds[1]).toFixed(2)} ms`);
  }
  return rows;
}

interface Target {
  env: NodeJS.ProcessEnv;
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

interface Dialect {
  name: 'SQLite' | 'PostgreSQL';
  /** Two fresh databases: the 10k one and the N one. */
  small: Target;
  large: Target;
  pgUrl?: string;
}

/** Seeds `users` users into group `bench` and `groups` groups (prefix `prefix`); returns the deepest group. */
async function seed(t: Target, users: number, groups: number, prefix: string, hash: string, label: string): Promise<string> {
  const db = await t.open();
  try {
    const now = Date.now();
    const t0 = Date.now();
    await db.exec(
      `INSERT INTO groups (id, rev, name, super_group_id, path, super_admin, created, modified) VALUES ('bench', '1-a', 'Bench', 'root', '/root/bench/', ${db.pg ? 'false' : '0'}, ${now}, ${now})`,
    );
    await seedAdmin(db, 'bench', 'bench-admin', hash);
    await withoutIndexes(db, ['users', 'search_keys'], () => seedUsers(db, 'bench', 0, users, hash));
    const t1 = Date.now();
    const deepest = await seedGroups(db, { id: 'root', path: '/root/' }, groups, prefix);
    await seedAdmin(db, deepest, 'deep-user', hash);
    // Settle what a freshly loaded database would still be doing in the background, so that it does not
    // run during the measurements: PostgreSQL vacuums and analyzes (autovacuum would, soon) and checkpoints;
    // SQLite folds its WAL into the database file (statistics stay absent, as in the service).
    if (db.pg) {
      await db.exec('VACUUM ANALYZE');
      await db.exec('CHECKPOINT');
    } else await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
    console.error(`[${label}] seeded ${users} users in ${t1 - t0} ms, ${groups} groups in ${Date.now() - t1} ms`);
    return deepest;
  } finally {
    await db.close();
  }
}

async function startService(t: Target): Promise<{ h: Http; svc: ChildProcess }> {
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    CAREGATE_ADMIN_PASSWORD: PASSWORD,
    CAREGATE_AUTH_RATE_LIMIT: '1000000',
    ...t.env,
  };
  const svc = startNode([path.join(ROOT, 'dist', 'src', 'main.js')], env);
  await waitFor(`http://127.0.0.1:${port}/health`);
  return { h: http(`http://127.0.0.1:${port}`), svc };
}

async function runDialect(d: Dialect, hash: string): Promise<{ rows: Row[]; extra: Extra }> {
  const small = Math.min(10_000, N);
  // Each service migrates its database and creates the root group and admin; the bench then seeds.
  let a: { h: Http; svc: ChildProcess } | undefined;
  let b: { h: Http; svc: ChildProcess } | undefined;
  let plain: ChildProcess | undefined;
  let floor: ChildProcess | undefined;
  try {
    a = await startService(d.small);
    b = await startService(d.large);
    const deepA = await seed(d.small, small, 10, 'ga', hash, `${d.name} 10k`);
    const t0 = Date.now();
    const deepB = await seed(d.large, N, GROUPS, 'gb', hash, `${d.name} N`);
    const seedMs = Date.now() - t0;

    // Every call alternately on the 10k and the N service (see measureInterleaved).
    const rows = await measureInterleaved(await subject(a.h, small, 'ga', deepA, 'ax'), await subject(b.h, N, 'gb', deepB, 'bx'), ROUNDS);
    a.svc.kill('SIGTERM');
    a = undefined;

    // Throughput at N: logins vs argon2, reads vs plain node:http (and node:http + pg), refreshes.
    const h = b.h;
    const svcPid = b.svc.pid!;
    // The service's resident memory, sampled through the whole sustained-load phase.
    let rssPeak = rssMiB(svcPid);
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(svcPid))), 250);
    const admin = await login(h, 'bench/bench-admin');
    const target = userId(Math.floor(N / 3));
    const userUrl = `${h.base}/rest/v2/user/${target}`;
    const body = (await h.call('GET', `/rest/v2/user/${target}`, { token: admin.token })).json;
    const connections = 4;
    const loginLoad = [
      '-c',
      String(connections),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      JSON.stringify({ username: `user${pad(5)}`, password: PASSWORD }),
      `${h.base}/rest/v2/auth/login`,
    ];
    // One unmeasured run first: the login path's code is still being optimized by V8 after the
    // latency phase's few dozen logins (the first measured round used to be the slowest).
    await autocannon(loginLoad);
    const loginRatios: number[] = [];
    const loginRates: number[] = [];
    const bareRates: number[] = [];
    // Where a login's CPU goes (ms per login): the service (argon2 on its pool threads included), its
    // main thread alone, PostgreSQL's processes; and a bare verify's CPU in this process.
    const loginCpu = { service: [] as number[], mainThread: [] as number[], database: [] as number[], bareVerify: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const svc0 = cpuSeconds(svcPid);
      const main0 = cpuSeconds(svcPid, svcPid);
      const db0 = d.pgUrl ? postgresCpuSeconds() : 0;
      const logins = await autocannon(loginLoad);
      const perLogin = (seconds: number) => (1000 * seconds) / Math.max(1, logins.requests.total);
      loginCpu.service.push(perLogin(cpuSeconds(svcPid) - svc0));
      loginCpu.mainThread.push(perLogin(cpuSeconds(svcPid, svcPid) - main0));
      if (d.pgUrl) loginCpu.database.push(perLogin(Math.max(0, postgresCpuSeconds() - db0)));
      const own0 = process.cpuUsage();
      const bare = await bareArgon2(hash, connections);
      const own = process.cpuUsage(own0);
      loginCpu.bareVerify.push((own.user + own.system) / 1000 / Math.max(1, bare * DURATION));
      loginRates.push(logins.requests.average);
      bareRates.push(bare);
      loginRatios.push(logins.requests.average / bare);
    }
    const plainPort = await freePort();
    const plainFile = path.join(os.tmpdir(), `caregate-bench-plain-${process.pid}.json`);
    fs.writeFileSync(plainFile, JSON.stringify(body));
    const plainSrc = d.pgUrl
      ? `const {Pool}=require('pg');const p=new Pool({connectionString:${JSON.stringify(d.pgUrl)},max:10});require('http').createServer(async(q,s)=>{const r=await p.query('SELECT * FROM users WHERE group_id=$1 AND id=$2',['bench',${JSON.stringify(target)}]);s.writeHead(200,{'content-type':'application/json; charset=utf-8'});s.end(JSON.stringify(r.rows[0]))}).listen(${plainPort},'127.0.0.1')`
      : `const b=require('fs').readFileSync(${JSON.stringify(plainFile)});require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json; charset=utf-8'});s.end(b)}).listen(${plainPort},'127.0.0.1')`;
    plain = spawn(process.execPath, ['-e', plainSrc], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitFor(`http://127.0.0.1:${plainPort}/`);
    // The framework floor: a bare Fastify route (no Nest, no hooks, no authentication) that runs the
    // same primary-key SELECT on the same database and answers the service's document (the same bytes
    // as the plain server), so that it differs from the service by the service's own work alone.
    const floorPort = await freePort();
    const select = `'SELECT * FROM users WHERE group_id=${d.pgUrl ? '$1' : '?'} AND id=${d.pgUrl ? '$2' : '?'}'`;
    const answer = `const b=require('fs').readFileSync(${JSON.stringify(plainFile)});const f=require('fastify')();const send=(r,row)=>{if(!row)throw new Error('no row');return r.type('application/json; charset=utf-8').send(b)};`;
    const floorSrc = d.pgUrl
      ? `${answer}const {Pool}=require('pg');const p=new Pool({connectionString:${JSON.stringify(d.pgUrl)},max:10});f.get('/u/:id',async(q,r)=>send(r,(await p.query(${select},['bench',q.params.id])).rows[0]));f.listen({port:${floorPort},host:'127.0.0.1'})`
      : `${answer}const D=require('better-sqlite3');const db=new D(${JSON.stringify(path.join(d.large.env.CAREGATE_DATA_DIR!, 'caregate.sqlite'))},{readonly:true,fileMustExist:true});const s=db.prepare(${select});f.get('/u/:id',(q,r)=>send(r,s.get('bench',q.params.id)));f.listen({port:${floorPort},host:'127.0.0.1'})`;
    floor = spawn(process.execPath, ['-e', floorSrc], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const floorUrl = `http://127.0.0.1:${floorPort}/u/${target}`;
    await waitFor(floorUrl);
    // Likewise one unmeasured run of each of the two servers before the alternating rounds.
    await autocannon(['-c', '50', '-H', `authorization=Bearer ${admin.token}`, userUrl]);
    await autocannon(['-c', '50', `http://127.0.0.1:${plainPort}/`]);
    await autocannon(['-c', '50', floorUrl]);
    const ratios: number[] = [];
    const floorRatios: number[] = [];
    const overFloor: number[] = [];
    const readRates: number[] = [];
    const refreshRates: number[] = [];
    const refreshPerServiceCore: number[] = [];
    const refreshPerCore: number[] = [];
    const refreshServiceCores: number[] = [];
    let refreshNon2xx = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const svcRun = await autocannon(['-c', '50', '-H', `authorization=Bearer ${admin.token}`, userUrl]);
      const plainRun = await autocannon(['-c', '50', `http://127.0.0.1:${plainPort}/`]);
      const floorRun = await autocannon(['-c', '50', floorUrl]);
      readRates.push(svcRun.requests.average);
      ratios.push(svcRun.requests.average / plainRun.requests.average);
      floorRatios.push(floorRun.requests.average / plainRun.requests.average);
      overFloor.push(svcRun.requests.average / floorRun.requests.average);
      // CPU used by the service (and by PostgreSQL) through the run: refreshes per core of CPU.
      const cpu0 = cpuSeconds(svcPid);
      const pg0 = d.pgUrl ? postgresCpuSeconds() : 0;
      const refresh = await autocannon([
        '-c',
        '10',
        '-m',
        'POST',
        '-H',
        `refresh-token=${admin.refreshToken}`,
        `${h.base}/rest/v2/auth/refresh`,
      ]);
      const svcCpu = cpuSeconds(svcPid) - cpu0;
      // Every PostgreSQL process on the machine; a backend that exits during the run takes its time along.
      const dbCpu = d.pgUrl ? Math.max(0, postgresCpuSeconds() - pg0) : 0;
      refreshRates.push(refresh.requests.average);
      refreshNon2xx += refresh.non2xx;
      refreshPerServiceCore.push(svcCpu > 0 ? refresh.requests.total / svcCpu : 0);
      refreshPerCore.push(svcCpu + dbCpu > 0 ? refresh.requests.total / (svcCpu + dbCpu) : 0);
      refreshServiceCores.push(svcCpu / DURATION);
    }
    fs.rmSync(plainFile, { force: true });
    clearInterval(rssTimer);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      rows,
      extra: {
        loginsPerSecond: median(loginRates),
        bareArgon2PerSecond: r2(median(bareRates)),
        loginRatio: r2(median(loginRatios)),
        loginRatioRounds: loginRatios.map(r2),
        loginCpuMs: {
          service: r2(median(loginCpu.service)),
          mainThread: r2(median(loginCpu.mainThread)),
          database: d.pgUrl ? r2(median(loginCpu.database)) : undefined,
          bareVerify: r2(median(loginCpu.bareVerify)),
        },
        readsPerSecond: median(readRates),
        readRatio: r2(median(ratios)),
        readRatioRounds: ratios.map(r2),
        readBaseline: d.pgUrl ? 'node:http + pg (same primary-key SELECT)' : 'node:http (same JSON from memory)',
        floorRatio: r2(median(floorRatios)),
        serviceOverFloor: r2(median(overFloor)),
        overFloorRounds: overFloor.map(r2),
        refreshesPerSecond: median(refreshRates),
        refreshNon2xx,
        refreshesPerServiceCore: Math.round(median(refreshPerServiceCore)),
        refreshesPerCoreWithDb: d.pgUrl ? Math.round(median(refreshPerCore)) : undefined,
        refreshServiceCores: r2(median(refreshServiceCores)),
        serviceRssMiB: rssMiB(svcPid),
        serviceRssPeakMiB: rssPeak,
        seedUsersMs: seedMs,
      },
    };
  } finally {
    plain?.kill();
    floor?.kill();
    a?.svc.kill('SIGTERM');
    b?.svc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await d.small.cleanup();
    await d.large.cleanup();
  }
}

function sqliteTarget(): Target {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-bench-'));
  return {
    env: { CAREGATE_DATA_DIR: dir, DATABASE_URL: '' },
    open: () => openSqlite(path.join(dir, 'caregate.sqlite')),
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

async function pgTarget(base: string, suffix: string): Promise<Target> {
  const dbName = `caregate_bench_${process.pid}_${suffix}`;
  const admin = await openPg(base);
  await admin.exec(`CREATE DATABASE ${dbName}`);
  await admin.close();
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return {
    env: { DATABASE_URL: url.toString(), CAREGATE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-bench-pg-')) },
    open: () => openPg(url.toString()),
    cleanup: async () => {
      const a = await openPg(base);
      await a.exec(`DROP DATABASE IF EXISTS ${dbName}`);
      await a.close();
    },
  };
}

async function main(): Promise<void> {
  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const results: { dialect: string; rows: Row[]; extra: Extra }[] = [];
  const pgBase = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  const only = process.argv.includes('--pg-only') ? 'pg' : process.argv.includes('--sqlite-only') ? 'sqlite' : 'both';
  if (only !== 'pg') {
    const r = await runDialect({ name: 'SQLite', small: sqliteTarget(), large: sqliteTarget() }, hash);
    results.push({ dialect: 'SQLite', ...r });
    console.log(JSON.stringify({ dialect: 'SQLite', ...r }, null, 2));
  }
  if (pgBase && only !== 'sqlite') {
    const large = await pgTarget(pgBase, 'n');
    const r = await runDialect({ name: 'PostgreSQL', small: await pgTarget(pgBase, 'k'), large, pgUrl: large.env.DATABASE_URL }, hash);
    results.push({ dialect: 'PostgreSQL', ...r });
    console.log(JSON.stringify({ dialect: 'PostgreSQL', ...r }, null, 2));
  }
  const docs = path.join(ROOT, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  const { markdown, svg } = renderReport(results, { users: N, groups: GROUPS, rounds: ROUNDS, seconds: DURATION });
  fs.writeFileSync(path.join(docs, 'benchmarks.md'), markdown);
  fs.writeFileSync(path.join(docs, 'benchmarks.svg'), svg);
  console.error('wrote docs/benchmarks.md and docs/benchmarks.svg');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
