import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { checkpointSignature } from './audit-chain';
import { AuditCheckpointEntity } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';
import { AuditSigningKey } from './signing-key';

/** Rows per pruning transaction: small enough that the chain lock is held for a few milliseconds. */
export const PRUNE_BATCH = 200;
const HOUR = 3600_000;

/**
 * CAREGATE_AUDIT_RETENTION_DAYS: rows older than the retention are deleted from the start of each
 * chain in small transactions, each moving the group's signed checkpoint to the last deleted row,
 * so verification starts from the checkpoint and still covers every remaining row.
 */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: AuditRepository,
    private readonly tx: TransactionRunner,
    private readonly key: AuditSigningKey,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.audit.retentionDays === undefined) return;
    this.timer = setInterval(() => {
      this.running ??= this.pruneOnce()
        .catch((e: unknown) => new Logger('AuditRetention').error(e instanceof Error ? e.message : String(e)))
        .finally(() => (this.running = undefined));
    }, HOUR);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pruning pass over every group; returns the number of rows removed. */
  async pruneOnce(retentionDays = this.config.audit.retentionDays): Promise<number> {
    return (await this.prune(retentionDays)).removed;
  }

  /** The pass, with the longest single transaction (the bench reports it). */
  async prune(
    retentionDays = this.config.audit.retentionDays,
  ): Promise<{ removed: number; batches: number; longestBatchMs: number; p99BatchMs: number }> {
    const stats = { removed: 0, batches: 0, longestBatchMs: 0, p99BatchMs: 0 };
    const durations: number[] = [];
    if (retentionDays === undefined) return stats;
    const cutoff = this.clock.now() - retentionDays * 24 * HOUR;
    for (const groupId of await this.repo.groupsWithRowsBefore(RequestContext.anonymous(), cutoff)) {
      let after = (await this.repo.checkpoint(RequestContext.system(groupId), groupId))?.seq ?? 0;
      for (;;) {
        let started = 0;
        const n = await this.tx.run(RequestContext.system(groupId), async (t) => {
          started = performance.now();
          await this.repo.lockChain(t, groupId);
          const rows = await this.repo.oldest(t, after, PRUNE_BATCH);
          // Only a prefix of the chain can go: stop at the first row still within the retention.
          const keep = rows.findIndex((r) => r.occurredAt >= cutoff);
          const old = keep < 0 ? rows : rows.slice(0, keep);
          const last = old[old.length - 1];
          if (!last) return 0;
          await this.repo.deleteRange(t, after, last.seq);
          await this.repo.saveCheckpoint(
            t,
            Object.assign(new AuditCheckpointEntity(), {
              groupId,
              seq: last.seq,
              hash: last.hash,
              signedAt: this.clock.now(),
              signature: checkpointSignature(this.key.get(), groupId, last.seq, last.hash),
            }),
          );
          after = last.seq;
          return old.length;
        });
        durations.push(performance.now() - started);
        stats.batches++;
        stats.removed += n;
        if (n < PRUNE_BATCH) break;
      }
    }
    durations.sort((a, b) => a - b);
    stats.longestBatchMs = durations[durations.length - 1] ?? 0;
    stats.p99BatchMs = durations[Math.floor(durations.length * 0.99)] ?? 0;
    return stats;
  }
}
