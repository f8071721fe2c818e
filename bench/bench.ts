/**
 * `npm run bench`: starts the built service on a fresh SQLite database and measures, in one run,
 * with autocannon in a separate process:
 *   1. password logins/s against bare argon2.verify calls/s at the same parameters;
 *   2. authenticated GET /rest/v2/user/{id} per second against a plain node:http server answering
 *      the same JSON from memory.
 * Prints both ratios and the service's RSS. Not part of `npm test`: speed is measured, not asserted.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as argon2 from 'argon2';

const ROOT = path.join(__dirname, '..', '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
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
    const child = spawn(process.execPath, [bin, '--json', '-d', String(DURATION), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function startNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const svc = startNode([path.join(ROOT, 'dist', 'src', 'main.js')], {
    PORT: String(port),
    HOST: '127.0.0.1',
    CAREGATE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    CAREGATE_ADMIN_PASSWORD: PASSWORD,
    CAREGATE_AUTH_RATE_LIMIT: '1000000',
    DATABASE_URL: '',
  });
  let plain: ChildProcess | undefined;
  try {
    await waitFor(`${base}/health`);
    const login = (await (
      await fetch(`${base}/rest/v2/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      })
    ).json()) as { token: string; userId: string };
    const userUrl = `${base}/rest/v2/user/${login.userId}`;
    const userRes = await fetch(userUrl, { headers: { authorization: `Bearer ${login.token}` } });
    if (!userRes.ok) throw new Error(`GET ${userUrl} answered ${userRes.status}`);
    const body = await userRes.text();

    // 1. logins vs bare argon2 at the service's parameters (production defaults).
    const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const connections = 4;
    const logins = await autocannon([
      '-c',
      String(connections),
      '-m',
      'POST',
      '-H',
      'content-type=application/json',
      '-b',
      JSON.stringify({ username: 'admin', password: PASSWORD }),
      `${base}/rest/v2/auth/login`,
    ]);
    const bare = await bareArgon2(hash, connections);

    // 2. authenticated read vs a plain node:http server with the same JSON in memory.
    const plainPort = await freePort();
    const plainFile = path.join(dataDir, 'plain.json');
    fs.writeFileSync(plainFile, body);
    plain = startNode(
      [
        '-e',
        `const b=require('fs').readFileSync(${JSON.stringify(plainFile)});require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json; charset=utf-8'});s.end(b)}).listen(${plainPort},'127.0.0.1')`,
      ],
      {},
    );
    await waitFor(`http://127.0.0.1:${plainPort}/`);
    const reads = await autocannon(['-c', '50', '-p', '1', '-H', `authorization=Bearer ${login.token}`, userUrl]);
    const plainReads = await autocannon(['-c', '50', '-p', '1', `http://127.0.0.1:${plainPort}/`]);

    const out = {
      durationSecondsPerRun: DURATION,
      login: {
        perSecond: logins.requests.average,
        non2xx: logins.non2xx,
        bareArgon2VerifyPerSecond: Math.round(bare * 10) / 10,
        ratio: Math.round((logins.requests.average / bare) * 100) / 100,
        target: 0.9,
      },
      authenticatedRead: {
        perSecond: reads.requests.average,
        non2xx: reads.non2xx,
        plainNodeHttpPerSecond: plainReads.requests.average,
        ratio: Math.round((reads.requests.average / plainReads.requests.average) * 100) / 100,
        target: 0.3,
        p99ms: reads.latency.p99,
      },
      serviceRssMiB: rssMiB(svc.pid!),
    };
    console.log(JSON.stringify(out, null, 2));
    console.log(
      `login/argon2 ratio: ${out.login.ratio} (target >= 0.9); authenticated read/plain ratio: ${out.authenticatedRead.ratio} (target >= 0.3); RSS ${out.serviceRssMiB} MiB`,
    );
  } finally {
    plain?.kill();
    svc.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
