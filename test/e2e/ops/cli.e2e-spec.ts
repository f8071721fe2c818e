import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, pbkdf2Sync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RequestContext } from '../../../src/common/request-context';
import { UsersRepository } from '../../../src/users/users.repository';
import { body } from '../../support/body';
import { bearer, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import { startApp, TEST_ENV, TestApp } from '../../support/test-app';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as an operator runs it: the built dist in a child process. */
function cli(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...TEST_ENV, LOG_LEVEL: 'warn', ...env }, timeout: 120000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const FORMATS = ['argon2id', 'argon2i', 'bcrypt', 'django', 'keycloak', 'sha256', 'plain'] as const;
const passwordOf = (f: string) => `${f}-imported-password`;

/** 10,000 users over seven ways of bringing a password (plain ones are few: argon2 per row is the slow path). */
async function mixedJsonl(file: string, n: number): Promise<void> {
  const kcSalt = Buffer.from('keycloak-salt-16');
  const hashes: Record<string, unknown> = {
    argon2id: await argon2.hash(passwordOf('argon2id'), { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 }),
    argon2i: await argon2.hash(passwordOf('argon2i'), { type: argon2.argon2i, memoryCost: 1024, timeCost: 1 }),
    bcrypt: bcrypt.hashSync(passwordOf('bcrypt'), 4).replace(/^\$2b\$/, '$2y$'),
    django: `pbkdf2_sha256$1000$djsalt$${pbkdf2Sync(passwordOf('django'), 'djsalt', 1000, 32, 'sha256').toString('base64')}`,
    keycloak: {
      algorithm: 'pbkdf2-sha256',
      hashIterations: 1000,
      salt: kcSalt.toString('base64'),
      value: pbkdf2Sync(passwordOf('keycloak'), kcSalt, 1000, 64, 'sha256').toString('base64'),
    },
    sha256: createHash('sha256').update(passwordOf('sha256')).digest('hex'),
  };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = i % 200 === 0 ? 'plain' : FORMATS[i % 6];
    const secret = f === 'plain' ? { password: passwordOf('plain') } : { passwordHash: hashes[f] };
    lines.push(JSON.stringify({ login: `${f}-${i}`, email: `user${i}@example.org`, firstName: `F${i}`, ...secret }));
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('caregate CLI (built dist, child process)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-cli-'));
  const keyFile = path.join(dir, 'signing.pem');
  const publicKeys = path.join(dir, 'public-keys.json');
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    fs.writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const keys = { CAREGATE_JWT_PRIVATE_KEY_FILE: keyFile, CAREGATE_JWT_PUBLIC_KEYS_FILE: publicKeys };
    t = await startApp({ listen: true, env: keys });
    // The CLI works on the same database as the running service.
    env = {
      ...keys,
      ...(t.db.databaseUrl ? { DATABASE_URL: t.db.databaseUrl } : { CAREGATE_DATA_DIR: path.dirname(t.db.sqliteFile) }),
    };
  }, 120000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--help works for the program and every command', async () => {
    const top = await cli(env, '--help');
    expect(top.code).toBe(0);
    const commands = ['create-group', 'create-admin', 'reset-password', 'import', 'export', 'migrate', 'rotate-keys'];
    for (const c of commands) expect(top.stdout).toContain(c);
    for (const c of commands) {
      const r = await cli(env, c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: caregate ${c}`);
    }
  });

  it('migrate reports an up-to-date schema; create-group and create-admin print a one-time password that logs in', async () => {
    expect((await cli(env, 'migrate')).stdout).toMatch(/up to date/);
    expect(await cli(env, 'create-group', 'cliclinic', '--name', 'CLI clinic')).toMatchObject({ code: 0 });
    const admin = await cli(env, 'create-admin', 'cliclinic', 'boss', '--email', 'boss@example.org');
    expect(admin.code).toBe(0);
    const otp = /one-time password: (\S+)/.exec(admin.stdout)![1];
    await loginAs(t, { login: 'boss', password: otp, groupId: 'cliclinic' });
    const dup = await cli(env, 'create-group', 'cliclinic');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/caregate: /);
    expect(dup.stderr).not.toMatch(/\n\s+at /);
  });

  it('imports 10,000 users with mixed hash formats from JSON lines; some of each format log in and are rehashed', async () => {
    const file = path.join(dir, 'users.jsonl');
    await mixedJsonl(file, 10000);
    await cli(env, 'create-group', 'bulk');
    const dry = await cli(env, 'import', 'bulk', file, '--dry-run', '--no-progress');
    expect(dry.stdout).toMatch(/dry run/);
    expect(dry.stdout).toMatch(/\| created\s+\|\s+10000 \|/);
    const before = await t
      .http()
      .get('/rest/v2/user/inGroup/bulk')
      .set(bearer((await loginAsRootAdmin(t)).token));
    expect(body<{ rows: unknown[] }>(before).rows).toHaveLength(0);

    const report = path.join(dir, 'report.jsonl');
    const r = await cli(env, 'import', 'bulk', file, '--report', report);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| created\s+\|\s+10000 \|/);
    expect(r.stdout).toMatch(/\| users\/s\s+\|\s+\d+ \|/);
    expect(fs.readFileSync(report, 'utf8').trim().split('\n')).toHaveLength(10000);
    const repo = t.get(UsersRepository);
    for (const f of FORMATS) {
      for (const i of f === 'plain' ? [0, 9800] : [FORMATS.indexOf(f) + 6, FORMATS.indexOf(f) + 6 * 1001]) {
        const login = `${f}-${i}`;
        const tokens = await loginAs(t, { login, password: passwordOf(f), groupId: 'bulk' });
        const stored = await repo.findOneInGroup(RequestContext.system('bulk'), tokens.userId);
        expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
        await t
          .http()
          .post('/rest/v2/auth/login')
          .send({ username: `bulk/${login}`, password: 'not-the-password-1' })
          .expect(401);
      }
    }
    // A second run skips every row as a duplicate and says so.
    const again = await cli(env, 'import', 'bulk', file, '--no-progress', '--batch-size', '10000');
    expect(again.stdout).toMatch(/\| skipped \(duplicates\)\s+\|\s+10000 \|/);
  }, 180000);

  it('imports CSV with a refused row (exit code 3) and reports the reasons', async () => {
    await cli(env, 'create-group', 'csvclinic');
    const csv = path.join(dir, 'users.csv');
    const sha = createHash('sha256').update('csv password one').digest('hex');
    fs.writeFileSync(
      csv,
      [
        'login,email,firstName,roles,password,passwordHash',
        `anna,anna@example.org,Anna,HCP;USER,,${sha}`,
        'ben,ben@example.org,Ben,,a-long-csv-password,',
        'carl,not-an-email,Carl,,,',
        'anna,,Dup,,,',
      ].join('\n'),
    );
    const r = await cli(env, 'import', 'csvclinic', csv, '--no-progress');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/\| created\s+\|\s+2 \|/);
    expect(r.stdout).toMatch(/\| skipped \(duplicates\)\s+\|\s+1 \|/);
    expect(r.stdout).toMatch(/refused: email/);
    await loginAs(t, { login: 'anna', password: 'csv password one', groupId: 'csvclinic' });
    await loginAs(t, { login: 'ben', password: 'a-long-csv-password', groupId: 'csvclinic' });
    expect((await cli(env, 'import', 'csvclinic', path.join(dir, 'missing.csv'))).code).toBe(1);
    expect((await cli(env, 'import', 'no-such-group', csv)).stderr).toMatch(/no group no-such-group/);
  });

  it('export writes JSON lines without secrets unless --with-hashes; reset-password prints a working one-time password', async () => {
    const plain = await cli(env, 'export', 'csvclinic');
    const users = plain.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(users.map((u) => u.login).sort()).toEqual(['anna', 'ben']);
    expect(plain.stdout).not.toMatch(/passwordHash|argon2|secret/);
    const withHashes = await cli(env, 'export', 'csvclinic', '--with-hashes');
    expect(withHashes.stdout).toMatch(/"passwordHash":"\$argon2id\$/);

    const reset = await cli(env, 'reset-password', 'csvclinic', 'ben');
    const otp = /one-time password for ben: (\S+)/.exec(reset.stdout)![1];
    await loginAs(t, { login: 'ben', password: otp, groupId: 'csvclinic' });
    await t.http().post('/rest/v2/auth/login').send({ username: 'csvclinic/ben', password: 'a-long-csv-password' }).expect(401);
  });

  it('against the running service (--url, --token): import, export, and a key rotation that old tokens survive', async () => {
    const admin = await loginAsRootAdmin(t);
    const remote = { ...env, CAREGATE_URL: t.url, CAREGATE_TOKEN: admin.token };
    expect((await cli(remote, 'create-group', 'remoteclinic')).code).toBe(0);
    const file = path.join(dir, 'remote.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ login: 'rita', password: 'remote-password-1' })}\n{not json}\n`);
    const r = await cli(remote, 'import', 'remoteclinic', file, '--no-progress');
    expect(r.stdout).toMatch(/\| created\s+\|\s+1 \|/);
    expect(r.stdout).toMatch(/invalid JSON/);
    const exp = await cli(remote, 'export', 'remoteclinic');
    expect(exp.stdout).toContain('"login":"rita"');
    expect((await cli(remote, 'export', 'remoteclinic', '--with-hashes')).code).toBe(1);
    const reset = await cli(remote, 'reset-password', 'remoteclinic', (JSON.parse(exp.stdout.trim()) as { id: string }).id);
    expect(reset.code).toBe(0);
    await loginAs(t, { login: 'rita', password: /one-time password for \S+: (\S+)/.exec(reset.stdout)![1], groupId: 'remoteclinic' });
    expect((await cli({ ...env, CAREGATE_URL: t.url, CAREGATE_TOKEN: 'bad' }, 'export', 'remoteclinic')).stderr).toMatch(/401/);

    const oldKid = (JSON.parse(Buffer.from(admin.token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
    const rot = await cli(remote, 'rotate-keys', '--algorithm', 'ES384');
    expect(rot.code).toBe(0);
    expect(rot.stdout).toContain(`old key ${oldKid} kept`);
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(
      body<{ keys: { alg: string }[] }>(jwks)
        .keys.map((k) => k.alg)
        .sort(),
    ).toEqual(['ES256', 'ES384']);
    await t.http().get('/rest/v2/user/current').set(bearer(admin.token)).expect(200);
    const fresh = await loginAsRootAdmin(t);
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'ES384' });
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', admin.refreshToken).expect(200);
  });
});

describe('the service process: weak keys refused at boot, SIGHUP reloads keys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-proc-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const baseEnv = () => ({ PATH: process.env.PATH ?? '', ...TEST_ENV, LOG_LEVEL: 'info', HOST: '127.0.0.1', CAREGATE_DATA_DIR: dir });

  it('a 1024-bit RSA signing key stops the boot with exit code 1 and a clear message', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    let code = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [MAIN], {
        env: { ...baseEnv(), PORT: '0', CAREGATE_JWT_PRIVATE_KEY: weak },
        timeout: 60000,
        stdio: 'pipe',
      });
    } catch (e) {
      code = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(code).toBe(1);
    expect(stderr).toMatch(/CAREGATE_JWT_PRIVATE_KEY: RSA key of 1024 bits is too weak \(at least 2048 bits/);
  });

  it('caregate rotate-keys --pid sends SIGHUP: the running process signs with the new key and still verifies the old', async () => {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const child = spawn(process.execPath, [MAIN], { env: { ...baseEnv(), PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('service did not start')), 60000);
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('Caregate listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (c) => reject(new Error(`service exited with ${c}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      const login = async () =>
        (
          (await (
            await fetch(`${base}/rest/v2/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ username: TEST_ENV.CAREGATE_ADMIN_LOGIN, password: TEST_ENV.CAREGATE_ADMIN_PASSWORD }),
            })
          ).json()) as { token: string }
        ).token;
      const before = await login();
      const rot = await cli({ CAREGATE_DATA_DIR: dir }, 'rotate-keys', '--pid', String(child.pid));
      expect(rot.stdout).toMatch(/SIGHUP sent/);
      let keys: unknown[] = [];
      for (let i = 0; i < 50 && keys.length < 2; i++) {
        keys = ((await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys;
        if (keys.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(keys).toHaveLength(2);
      const after = await login();
      const kid = (tok: string) => (JSON.parse(Buffer.from(tok.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
      expect(kid(after)).not.toBe(kid(before));
      for (const tok of [before, after])
        expect((await fetch(`${base}/rest/v2/user/current`, { headers: { authorization: `Bearer ${tok}` } })).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90000);
});
