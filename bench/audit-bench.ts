/**
 * `npm run bench:audit`: what the audit trail costs. On a fresh database (SQLite, or PostgreSQL
 * with DATABASE_URL), in process:
 *   1. the cost of recording one event inside a write: N user updates through the core service
 *      (which records its event) against the same updates through the repository alone;
 *   2. verify over AUDIT_BENCH_EVENTS (default 1,000,000) chained rows of one group;
 *   3. pruning all of them with the retention: rows/s and the longest single transaction.
 * Not part of `npm test`: speed is measured, not asserted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { ChainRow, rowHash } from '../src/audit/audit-chain';
import { AuditRetentionService } from '../src/audit/audit-retention.service';
import { AuditService } from '../src/audit/audit.service';
import { DomainEventsService } from '../src/audit/domain-events.service';
import { RequestContext } from '../src/common/request-context';
import { loadConfig } from '../src/config/config';
import { TransactionRunner } from '../src/database/transaction-runner';
import { GroupsService } from '../src/groups/groups.service';
import { UsersRepository } from '../src/users/users.repository';
import { UsersService } from '../src/users/users.service';

const EVENTS = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000);
const WRITES = Number(process.env.AUDIT_BENCH_WRITES ?? 2000);
const INSERT_BATCH = 500;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-audit-bench-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CAREGATE_DATA_DIR: dataDir,
    CAREGATE_ADMIN_PASSWORD: 'bench-admin-password-0001',
    CAREGATE_WEBHOOK_WORKER: 'false',
  });
  const app = await createApp(config);
  const ds = app.get(DataSource);
  const dialect = ds.options.type;
  try {
    const sys = RequestContext.system('root');
    const groups = app.get(GroupsService);
    const root = (await groups.findRoot(sys))!;
    const g = await groups.createGroup(sys, { id: `bench${Date.now()}`, name: 'Bench', parent: root });
    const ctx = RequestContext.system(g.id, g.ancestorIds);
    const users = app.get(UsersService);
    const repo = app.get(UsersRepository);
    const tx = app.get(TransactionRunner);
    const u = await users.create(ctx, { login: 'bench-user' });

    // 1. write cost: the same one-row update, in a transaction, with and without the event.
    let rev = (await repo.getInGroup(ctx, u.id)).rev;
    const t0 = performance.now();
    for (let i = 0; i < WRITES; i++) rev = await tx.run(ctx, (t) => repo.updateWithRev(t, u.id, rev, { name: `plain ${i}` }));
    const plainMs = (performance.now() - t0) / WRITES;
    const events = app.get(DomainEventsService);
    const t1 = performance.now();
    for (let i = 0; i < WRITES; i++)
      rev = await tx.run(ctx, async (t) => {
        const r = await repo.updateWithRev(t, u.id, rev, { name: `audited ${i}` });
        await events.record(t, { action: 'user.updated', subjectType: 'user', subjectId: u.id, fields: ['name'] });
        return r;
      });
    const auditedMs = (performance.now() - t1) / WRITES;
    const t2 = performance.now();
    for (let i = 0; i < WRITES; i++) await users.update(ctx, u.id, { name: `service ${i}` });
    const serviceMs = (performance.now() - t2) / WRITES;

    // 2. a chain of EVENTS rows in a second group, written in bulk with the same hashing.
    // A chain of its own (no group row needed: the trail is keyed by group id).
    const big = { id: `benchchain${Date.now()}`, ancestorIds: [root.id] };
    const pg = dialect === 'postgres';
    const cols = [
      'group_id',
      'seq',
      'event_id',
      'occurred_at',
      'actor',
      'subject_type',
      'subject_id',
      'action',
      'fields',
      'request_id',
      'ip',
      'client',
      'prev_hash',
      'hash',
    ];
    let prev = '0'.repeat(64);
    const start = Date.UTC(2020, 0, 1);
    const tIns = performance.now();
    for (let base = 0; base < EVENTS; base += INSERT_BATCH) {
      const params: unknown[] = [];
      const tuples: string[] = [];
      for (let i = base; i < Math.min(base + INSERT_BATCH, EVENTS); i++) {
        const row: Omit<ChainRow, 'hash'> = {
          groupId: big.id,
          seq: i + 1,
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          occurredAt: start + i * 1000,
          actor: 'bench-actor',
          subjectType: 'user',
          subjectId: `user-${i % 5000}`,
          action: 'user.updated',
          fields: ['name'],
          requestId: `req-${i}`,
          ip: '127.0.0.1',
          client: 'system',
          prevHash: prev,
        };
        const hash = rowHash(row);
        prev = hash;
        const vals = [
          row.groupId,
          row.seq,
          row.id,
          row.occurredAt,
          row.actor,
          row.subjectType,
          row.subjectId,
          row.action,
          JSON.stringify(row.fields),
          row.requestId,
          row.ip,
          row.client,
          row.prevHash,
          hash,
        ];
        tuples.push(`(${vals.map((v) => (params.push(v), pg ? `$${params.length}` : '?')).join(', ')})`);
      }
      await ds.transaction((m) => m.query(`INSERT INTO audit_log (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params));
    }
    const insertS = (performance.now() - tIns) / 1000;
    // Statistics as autovacuum would have them on a table that grew to this size over time.
    await ds.query('ANALYZE audit_log');
    const bigCtx = RequestContext.system(big.id, big.ancestorIds);
    const tVer = performance.now();
    const cpu0 = process.cpuUsage();
    const verdict = await app.get(AuditService).verify(bigCtx);
    const verifyS = (performance.now() - tVer) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const verifyCpuS = (cpu.user + cpu.system) / 1e6;

    // 3. retention over the whole chain (all rows are years old).
    const tPr = performance.now();
    const pruned = await app.get(AuditRetentionService).prune(30);
    const pruneS = (performance.now() - tPr) / 1000;
    const after = await app.get(AuditService).verify(bigCtx);

    const f = (n: number, d = 3) => n.toFixed(d);
    console.log(
      `audit bench on ${dialect} (${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version})`,
    );
    console.log(`write: one-row update in a transaction           ${f(plainMs)} ms`);
    console.log(`write: same + event (outbox + chained audit row)  ${f(auditedMs)} ms  (+${f(auditedMs - plainMs)} ms per event)`);
    console.log(`write: UsersService.update (records its event)    ${f(serviceMs)} ms`);
    console.log(
      `verify: ${verdict.count} rows, ok=${verdict.ok}              ${f(verifyS, 2)} s  (${Math.round(verdict.count / verifyS)} rows/s, ${f(verifyCpuS, 2)} s CPU; bulk load took ${f(insertS, 1)} s)`,
    );
    console.log(
      `prune: ${pruned.removed} rows in ${pruned.batches} batches   ${f(pruneS, 2)} s  (transactions: p99 ${f(pruned.p99BatchMs, 1)} ms, longest ${f(pruned.longestBatchMs, 1)} ms); verify after: ok=${after.ok}, checkpoint seq ${after.checkpoint?.seq}`,
    );
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message.slice(0, 500) : e);
  process.exit(1);
});
