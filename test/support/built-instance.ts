import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The built service (node dist/src/main.js) as a child process, for tests about the real binary. */
const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/. */
export function ensureBuilt(): void {
  const built = fs.existsSync(MAIN) ? fs.statSync(MAIN).mtimeMs : 0;
  if (built >= newestMtime(path.join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** True when nothing listens on `port` (loopback) right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

let nextPort = 0;

/**
 * A free loopback port for a process a test starts (and may restart on the same port): taken from a
 * block of 100 ports per Jest worker below the kernel's ephemeral range (32768+), so no other worker
 * and no `listen(0)` (client sockets, in-process apps, sinks) can be handed the same port between
 * this check and the process binding it.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? 1);
  for (let i = 0; i < 100; i++) {
    const port = 11000 + (worker % 40) * 100 + (nextPort++ % 100);
    if (await canBind(port)) return port;
  }
  throw new Error("no free port in this worker's block");
}

export async function reachable(check: () => Promise<unknown>): Promise<boolean> {
  return check().then(
    () => true,
    () => false,
  );
}

/** Polls `probe` every 10 ms until it yields true or `ms` pass (bounded in time and count); elapsed ms, or -1. */
export async function within(ms: number, probe: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (let i = 0; i <= ms / 10 && Date.now() - start <= ms; i++) {
    if (await probe()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return -1;
}

export interface BuiltInstance {
  url: string;
  proc: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output: string[];
  stop(): Promise<void>;
}

/** Starts the built service on a free loopback port with `env` (plus PATH) and waits until it is ready. */
export async function startBuilt(name: string, env: Record<string, string>): Promise<BuiltInstance> {
  const port = await freePort();
  const proc = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const up = await within(30000, async () => {
    if (proc.exitCode !== null) throw new Error(`instance ${name} exited: ${output.join('')}`);
    return reachable(() => fetch(`${url}/health/ready`).then((r) => r.ok || Promise.reject(new Error('not ready'))));
  });
  if (up < 0) throw new Error(`instance ${name} did not become ready: ${output.join('')}`);
  return {
    url,
    proc,
    output,
    stop: async () => {
      proc.kill('SIGTERM');
      await within(10000, () => proc.exitCode !== null || proc.signalCode !== null);
    },
  };
}

/** fetch with a JSON body and Bearer or Basic credentials; the body parsed when it is JSON. */
export async function call(
  url: string,
  method: string,
  p: string,
  opts: { token?: string; basic?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(opts.basic).toString('base64')}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* a text body */
  }
  return { status: res.status, body: body as Record<string, unknown>, text };
}
