import { SingleBar } from 'cli-progress';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { KeyStore } from '../auth/tokens/key-store';
import { ADMINISTRATOR, RequestContext } from '../common/request-context';
import { dataSourceOptions } from '../database/data-source-options';
import { AccountLifecycleService } from '../provisioning/account-lifecycle.service';
import { ROOT_GROUP_ID } from '../provisioning/bootstrap.service';
import { GroupAdminService } from '../provisioning/group-admin.service';
import { ImportRowResult, UserImportService } from '../provisioning/user-import.service';
import { GroupsService } from '../groups/groups.service';
import { UserEntity } from '../users/user.entity';
import { UsersBulkRepository } from '../users/users-bulk.repository';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { CliError, cliConfig, RemoteClient, withApp } from './runtime';
import { countRows, formatOf, readUsers } from './user-file';

const out = (s: string) => process.stdout.write(`${s}\n`);
/** 24 random bytes: far above any password policy, typed once by the user and then changed. */
const oneTimePassword = () => randomBytes(18).toString('base64url');

export async function createGroup(remote: RemoteClient | undefined, id: string, o: { name?: string; parent?: string }): Promise<void> {
  const name = o.name ?? id;
  if (remote) {
    const q = new URLSearchParams({ name, ...(o.parent ? { superGroup: o.parent } : {}) });
    await remote.call('POST', `/rest/v2/group/${encodeURIComponent(id)}?${q.toString()}`, null);
  } else {
    await withApp(async (app) => {
      const root = RequestContext.system(ROOT_GROUP_ID);
      await app.get(GroupAdminService).create(root, id, { name, superGroup: o.parent });
    });
  }
  out(`group ${id} created`);
}

export async function createAdmin(
  remote: RemoteClient | undefined,
  groupId: string,
  login: string,
  o: { email?: string; password?: string },
): Promise<void> {
  const password = o.password ?? oneTimePassword();
  let id: string;
  if (remote) {
    const body = { login, email: o.email, roles: [ADMINISTRATOR], passwordHash: password };
    id = (await remote.call<{ id: string }>('POST', `/rest/v2/user/inGroup/${encodeURIComponent(groupId)}`, body)).id;
  } else {
    id = await withApp(async (app) => {
      const gctx = await groupContext(app.get(GroupsService), groupId);
      return (await app.get(UsersService).createWithPassword(gctx, { login, email: o.email ?? null, roles: [ADMINISTRATOR] }, password)).id;
    });
  }
  out(`administrator ${login} (${id}) created in group ${groupId}`);
  if (!o.password) out(`one-time password: ${password}`);
}

export async function resetPassword(remote: RemoteClient | undefined, groupId: string, who: string, o: { send?: boolean }): Promise<void> {
  const password = oneTimePassword();
  if (remote) {
    if (o.send) throw new CliError('--send works on the database directly (the service sends the reset email itself there)');
    const user = await remote.call<Record<string, unknown>>(
      'GET',
      `/rest/v2/user/inGroup/${encodeURIComponent(groupId)}/${encodeURIComponent(who)}`,
    );
    await remote.call('PUT', `/rest/v2/user/inGroup/${encodeURIComponent(groupId)}`, { ...user, passwordHash: password });
    out(`one-time password for ${who}: ${password}`);
    return;
  }
  await withApp(async (app) => {
    const gctx = await groupContext(app.get(GroupsService), groupId);
    const user = await app.get(UsersRepository).findByIdentifier(gctx, who);
    if (!user) throw new CliError(`no user ${who} in group ${groupId}`);
    if (o.send) {
      if (!user.email) throw new CliError(`user ${who} has no email to send a reset to`);
      await app.get(AccountLifecycleService).requestPasswordReset(user.email);
      out(`password reset sent to ${user.email}`);
      return;
    }
    await app.get(UsersService).update(gctx, user.id, { password });
    out(`one-time password for ${user.login ?? user.id}: ${password}`);
  });
}

export async function importUsers(
  remote: RemoteClient | undefined,
  groupId: string,
  file: string,
  o: { format?: string; batchSize: number; dryRun?: boolean; report?: string; progress: boolean },
): Promise<{ created: number; skipped: number; refused: number }> {
  if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 10000) throw new CliError('--batch-size: 1 to 10000');
  const format = formatOf(file, o.format);
  const total = await countRows(file, format);
  const totals = { created: 0, skipped: 0, refused: 0 };
  const reasons = new Map<string, number>();
  const report = o.report ? fs.createWriteStream(o.report) : undefined;
  const bar = o.progress
    ? new SingleBar({ format: 'import [{bar}] {value}/{total} users | {eta_formatted} left | {rate}/s', hideCursor: true })
    : undefined;
  const started = Date.now();
  bar?.start(total, 0, { rate: 0 });

  const run = async (send: (rows: Record<string, unknown>[]) => Promise<{ rows: ImportRowResult[] }>) => {
    let batch: { line: number; data: Record<string, unknown> }[] = [];
    let done = 0;
    const flush = async () => {
      if (!batch.length) return;
      const res = await send(batch.map((b) => b.data));
      res.rows.forEach((r, i) => record({ line: batch[i].line, ...r }));
      done += batch.length;
      bar?.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
      batch = [];
    };
    for await (const row of readUsers(file, format)) {
      if ('error' in row) {
        record({ line: row.line, status: 'refused', reason: row.error });
        done++;
        continue;
      }
      batch.push(row);
      if (batch.length >= o.batchSize) await flush();
    }
    await flush();
  };
  const record = (r: { line: number; status: ImportRowResult['status']; reason?: string; id?: string }) => {
    totals[r.status]++;
    if (r.reason) reasons.set(`${r.status}: ${r.reason}`, (reasons.get(`${r.status}: ${r.reason}`) ?? 0) + 1);
    report?.write(
      `${JSON.stringify({ line: r.line, status: r.status, ...(r.id ? { id: r.id } : {}), ...(r.reason ? { reason: r.reason } : {}) })}\n`,
    );
  };

  try {
    if (remote) {
      await run((users) =>
        remote.call('POST', `/rest/v2/user/inGroup/${encodeURIComponent(groupId)}/import`, { users, dryRun: o.dryRun === true }),
      );
    } else {
      await withApp(async (app) => {
        const gctx = await groupContext(app.get(GroupsService), groupId);
        const importer = app.get(UserImportService);
        await run((users) => importer.import(gctx, users, { dryRun: o.dryRun }));
      });
    }
  } finally {
    bar?.stop();
    await new Promise((resolve) => (report ? report.end(resolve) : resolve(undefined)));
  }
  const seconds = (Date.now() - started) / 1000;
  const rows: [string, string][] = [
    ['created', String(totals.created)],
    ['skipped (duplicates)', String(totals.skipped)],
    ['refused', String(totals.refused)],
    ['seconds', seconds.toFixed(2)],
    ['users/s', String(Math.round((totals.created + totals.skipped + totals.refused) / Math.max(seconds, 0.001)))],
  ];
  if (o.dryRun) rows.unshift(['dry run', 'nothing written']);
  out(table(['result', 'count'], rows));
  const top = [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (top.length)
    out(
      table(
        ['reason', 'rows'],
        top.map(([r, n]) => [r.length > 100 ? `${r.slice(0, 97)}...` : r, String(n)]),
      ),
    );
  return totals;
}

/** JSON lines on stdout (or --out); password hashes and TOTP secrets only with --with-hashes, never remotely. */
export async function exportUsers(
  remote: RemoteClient | undefined,
  groupId: string,
  o: { out?: string; withHashes?: boolean },
): Promise<void> {
  const sink: NodeJS.WritableStream = o.out ? fs.createWriteStream(o.out, { mode: o.withHashes ? 0o600 : 0o644 }) : process.stdout;
  let n = 0;
  const write = async (u: Record<string, unknown>) => {
    n++;
    // Respect back-pressure: a million users must not pile up in memory.
    if (!sink.write(`${JSON.stringify(u)}\n`)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  };
  if (remote) {
    if (o.withHashes) throw new CliError('--with-hashes works on the database directly only (no route returns hashes)');
    let startKey: string | undefined;
    let startDocumentId: string | undefined;
    for (;;) {
      const q = new URLSearchParams({
        limit: '1000',
        skipPatients: 'false',
        ...(startKey ? { startKey, startDocumentId: startDocumentId! } : {}),
      });
      const page = await remote.call<{ rows: Record<string, unknown>[]; nextKeyPair?: { startKey: unknown; startKeyDocId: string } }>(
        'GET',
        `/rest/v2/user/inGroup/${encodeURIComponent(groupId)}?${q.toString()}`,
      );
      for (const u of page.rows) await write(u);
      if (!page.nextKeyPair?.startKeyDocId) break;
      startKey = String(page.nextKeyPair.startKey);
      startDocumentId = page.nextKeyPair.startKeyDocId;
    }
  } else {
    await withApp(async (app) => {
      const gctx = await groupContext(app.get(GroupsService), groupId);
      const bulk = app.get(UsersBulkRepository);
      for (let after: string | undefined; ;) {
        const page = await bulk.pageById(gctx, after, 1000);
        for (const u of page) await write(exported(u, o.withHashes === true));
        if (page.length < 1000) break;
        after = page[page.length - 1].id;
      }
    });
  }
  if (o.out) await new Promise((resolve) => (sink as fs.WriteStream).end(resolve));
  process.stderr.write(`${n} users exported\n`);
}

function exported(u: UserEntity, withHashes: boolean): Record<string, unknown> {
  const { passwordHash, secret, failedLoginCount: _f, lockedUntil: _l, ...rest } = u;
  return withHashes ? { ...rest, passwordHash, secret } : rest;
}

export async function migrate(): Promise<void> {
  const config = cliConfig();
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    out(done.length ? `applied ${done.length} migration(s): ${done.map((m) => m.name).join(', ')}` : 'database schema is up to date');
  } finally {
    await ds.destroy();
  }
}

/**
 * Rotation (README runbook steps 1-3): the current public key joins the public keys file under its
 * kid, a new private key replaces the signing key file, then the service reloads (--url or --pid).
 */
export async function rotateKeys(remote: RemoteClient | undefined, o: { algorithm: string; pid?: string }): Promise<void> {
  const config = cliConfig();
  if (config.jwt.privateKeyPem)
    throw new CliError('the signing key comes from CAREGATE_JWT_PRIVATE_KEY: rotate it in your secret store and restart');
  const keyFile = config.jwt.privateKeyFile ?? path.join(config.dataDir, 'jwt-signing-key.pem');
  const pubFile = config.jwt.publicKeysFile ?? path.join(config.dataDir, 'jwt-public-keys.json');
  if (!fs.existsSync(keyFile))
    throw new CliError(`no signing key at ${keyFile}: start the service once, or set CAREGATE_JWT_PRIVATE_KEY_FILE`);
  const currentPub = createPublicKey(fs.readFileSync(keyFile, 'utf8'));
  let oldKid = config.jwt.keyId ?? KeyStore.thumbprint(currentPub);
  if (remote) {
    // The service's own name for the current key: the JWKS entry with the same key material.
    const jwks = await remote.call<{ keys: { kid: string; x?: string; n?: string }[] }>('GET', '/.well-known/jwks.json');
    const mine = currentPub.export({ format: 'jwk' });
    oldKid = jwks.keys.find((k) => (k.x ?? k.n) === (mine.x ?? mine.n))?.kid ?? oldKid;
  }
  const next =
    o.algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 3072 })
      : o.algorithm === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        : o.algorithm === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
          : undefined;
  if (!next) throw new CliError('--algorithm: ES256, ES384 or RS256');
  const existing = fs.existsSync(pubFile) ? (JSON.parse(fs.readFileSync(pubFile, 'utf8')) as Record<string, string>) : {};
  existing[oldKid] = currentPub.export({ type: 'spki', format: 'pem' }).toString();
  writeAtomically(pubFile, `${JSON.stringify(existing, null, 2)}\n`, 0o644);
  writeAtomically(keyFile, next.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  out(
    `old key ${oldKid} kept for verification in ${pubFile}; new ${o.algorithm} key ${KeyStore.thumbprint(next.publicKey)} written to ${keyFile}`,
  );
  if (remote) {
    const r = await remote.call<{ signingKid: string; kids: string[] }>('POST', '/rest/v2/keys/reload');
    out(`service reloaded: signing kid ${r.signingKid}, verifying ${r.kids.join(', ')}`);
  } else if (o.pid) {
    process.kill(Number(o.pid), 'SIGHUP');
    out(`SIGHUP sent to ${o.pid}`);
  } else {
    out('now reload every instance: kill -HUP <pid>, or POST /rest/v2/keys/reload');
  }
}

function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

async function groupContext(groups: GroupsService, groupId: string): Promise<RequestContext> {
  const root = RequestContext.system(ROOT_GROUP_ID);
  const g = await groups.findById(root, groupId);
  if (!g) throw new CliError(`no group ${groupId}`);
  return RequestContext.system(g.id, g.ancestorIds);
}

function table(head: [string, string], rows: [string, string][]): string {
  const w = [Math.max(head[0].length, ...rows.map((r) => r[0].length)), Math.max(head[1].length, ...rows.map((r) => r[1].length))];
  const line = (a: string, b: string) => `| ${a.padEnd(w[0])} | ${b.padStart(w[1])} |`;
  const sep = `|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|`;
  return [line(...head), sep, ...rows.map((r) => line(r[0], r[1]))].join('\n');
}
