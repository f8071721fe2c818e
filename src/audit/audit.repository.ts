import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { bulkInsert, insertStatement } from '../database/bulk-insert';
import { queryPrepared } from '../database/statements';
import { TransactionRunner } from '../database/transaction-runner';
import { AuditCheckpointEntity, AuditEntryEntity } from './audit-entry.entity';
import { ChainRow, GENESIS_HASH } from './audit-chain';
import type { DomainEvent } from './domain-event';
import { OutboxEventEntity } from './outbox-event.entity';
import { isPostgres, rawQuery } from './sql';

export interface AuditFilter {
  subject?: string;
  actor?: string;
  action?: string;
  from?: number;
  to?: number;
  /** Keyset cursor: rows with a smaller seq (pages go newest first). */
  beforeSeq?: number;
}

const COLUMNS =
  'group_id, seq, event_id, occurred_at, actor, subject_type, subject_id, action, fields, request_id, ip, client, prev_hash, hash';

type RawRow = Record<string, string | number | null>;

const pgCanonical = (() => {
  const j = (c: string) => `to_json(${c})::text`;
  const n = (c: string) => `coalesce(to_json(${c})::text, 'null')`;
  const parts = [
    j('group_id'),
    'seq::text',
    j('event_id'),
    'occurred_at::text',
    j('actor'),
    j('subject_type'),
    j('subject_id'),
    j('action'),
    'fields',
    n('request_id'),
    n('ip'),
    j('client'),
    j('prev_hash'),
  ];
  return `'[' || ${parts.join(" || ',' || ")} || ']'`;
})();

/** A group's rows after a seq with the database's SHA-256 of their canonical form (see audit-chain.ts). */
const PG_VERIFY_ROWS = `SELECT seq, event_id, prev_hash, hash, encode(sha256(convert_to(${pgCanonical}, 'UTF8')), 'hex') AS computed
   FROM audit_log WHERE group_id = ? AND seq > ? ORDER BY seq LIMIT ?`;

export function toChainRow(r: RawRow): ChainRow {
  return {
    groupId: String(r.group_id),
    seq: Number(r.seq),
    id: String(r.event_id),
    occurredAt: Number(r.occurred_at),
    actor: String(r.actor),
    subjectType: r.subject_type as ChainRow['subjectType'],
    subjectId: String(r.subject_id),
    action: r.action as ChainRow['action'],
    fields: JSON.parse(String(r.fields)) as string[],
    requestId: r.request_id === null ? null : String(r.request_id),
    ip: r.ip === null ? null : String(r.ip),
    client: String(r.client),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/** The only place with outbox and audit SQL; every read is scoped by the context's group. */
@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private m(ctx: RequestContext): EntityManager {
    return this.tx.manager(ctx);
  }

  /**
   * The outbox rows of `events` and the chain rows `rows`, in event order. On PostgreSQL a batch of
   * up to 100 events is one statement (the outbox INSERT as a data-modifying WITH of the audit
   * INSERT: one round trip fewer on every audited write; prepared for one event). SQLite, and larger
   * batches (a bulk import records thousands): multi-row INSERTs of 200 per table.
   */
  async insertEvents(ctx: RequestContext, events: DomainEvent[], rows: ChainRow[]): Promise<void> {
    const m = this.m(ctx);
    const outbox = events.map((e) => Object.assign(new OutboxEventEntity(), e, { dispatchedAt: null }));
    const chain = rows.map((r) => Object.assign(new AuditEntryEntity(), r));
    // One chain row per event: the two lists have the same length.
    if (isPostgres(m) && events.length > 0 && events.length <= 100) {
      const o = insertStatement(m, OutboxEventEntity, outbox);
      const a = insertStatement(m, AuditEntryEntity, chain, o.params.length + 1);
      const text = `WITH outbox AS (${o.text}) ${a.text}`;
      const params = [...o.params, ...a.params];
      await (events.length === 1 ? queryPrepared(m, text, params) : m.query(text, params));
      return;
    }
    await bulkInsert(m, OutboxEventEntity, outbox);
    await bulkInsert(m, AuditEntryEntity, chain);
  }

  /**
   * Serialises appends to one group's chain until the transaction ends: an advisory lock on
   * PostgreSQL; SQLite transactions are already serialised.
   */
  async lockChain(ctx: RequestContext, groupId: string): Promise<void> {
    const m = this.m(ctx);
    if (isPostgres(m))
      await rawQuery(m, 'SELECT pg_advisory_xact_lock(hashtextextended(?, 7244))', [`audit:${groupId}`], { prepared: true });
  }

  /**
   * The last row of the chain, else the checkpoint, else the genesis. On PostgreSQL it must be a
   * statement of its own after `lockChain`'s: under READ COMMITTED a statement sees the rows committed
   * when it starts, so a read in the locking statement could miss the row of the previous holder.
   */
  async head(ctx: RequestContext, groupId: string): Promise<{ seq: number; hash: string }> {
    const m = this.m(ctx);
    const [last] = await rawQuery<RawRow>(m, 'SELECT seq, hash FROM audit_log WHERE group_id = ? ORDER BY seq DESC LIMIT 1', [groupId], {
      prepared: true,
    });
    if (last) return { seq: Number(last.seq), hash: String(last.hash) };
    const cp = await this.checkpoint(ctx, groupId);
    return cp ? { seq: cp.seq, hash: cp.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  checkpoint(ctx: RequestContext, groupId: string): Promise<AuditCheckpointEntity | null> {
    return this.m(ctx).getRepository(AuditCheckpointEntity).findOne({ where: { groupId } });
  }

  async saveCheckpoint(ctx: RequestContext, cp: AuditCheckpointEntity): Promise<void> {
    await this.m(ctx).getRepository(AuditCheckpointEntity).upsert(cp, ['groupId']);
  }

  /** A page of the context group's rows, newest first. */
  async page(ctx: RequestContext, f: AuditFilter, limit: number): Promise<ChainRow[]> {
    const where = ['group_id = ?'];
    const params: unknown[] = [ctx.groupId];
    const and = (condition: string, value: unknown) => {
      where.push(condition);
      params.push(value);
    };
    if (f.subject !== undefined) and('subject_id = ?', f.subject);
    if (f.actor !== undefined) and('actor = ?', f.actor);
    if (f.action !== undefined) and('action = ?', f.action);
    if (f.from !== undefined) and('occurred_at >= ?', f.from);
    if (f.to !== undefined) and('occurred_at < ?', f.to);
    if (f.beforeSeq !== undefined) and('seq < ?', f.beforeSeq);
    params.push(limit);
    const rows = await rawQuery<RawRow>(
      this.m(ctx),
      `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
      params,
    );
    return rows.map(toChainRow);
  }

  /** Rows of the context group with seq > afterSeq, oldest first (chain walks and export). */
  async batchAfter(ctx: RequestContext, afterSeq: number, limit: number): Promise<RawRow[]> {
    return rawQuery<RawRow>(this.m(ctx), `SELECT ${COLUMNS} FROM audit_log WHERE group_id = ? AND seq > ? ORDER BY seq LIMIT ?`, [
      ctx.groupId,
      afterSeq,
      limit,
    ]);
  }

  /**
   * PostgreSQL checks a whole batch itself: it hashes each row's canonical form (to_json escapes
   * strings as JSON.stringify does), compares links with the previous row and answers one summary
   * row; nothing per row crosses the wire. SQLite (in process) answers null: its rows are walked here.
   */
  async verdict(
    ctx: RequestContext,
    afterSeq: number,
    afterHash: string,
    limit: number,
  ): Promise<{ n: number; firstBad: number | null; lastSeq: number; lastHash: string; lastEventId: string } | null> {
    const m = this.m(ctx);
    if (!isPostgres(m)) return null;
    const [r] = await rawQuery<RawRow>(
      m,
      `SELECT count(*) AS n, min(seq) FILTER (WHERE bad) AS first_bad, max(seq) AS last_seq,
              (array_agg(hash ORDER BY seq DESC))[1] AS last_hash, (array_agg(event_id ORDER BY seq DESC))[1] AS last_event_id
         FROM (SELECT seq, hash, event_id,
                      computed <> hash
                      OR prev_hash <> coalesce(lag(hash) OVER (ORDER BY seq), ?)
                      OR seq <> coalesce(lag(seq) OVER (ORDER BY seq), ?) + 1 AS bad
                 FROM (${PG_VERIFY_ROWS}) b) x`,
      [afterHash, afterSeq, ctx.groupId, afterSeq, limit],
    );
    return {
      n: Number(r.n),
      firstBad: r.first_bad === null ? null : Number(r.first_bad),
      lastSeq: Number(r.last_seq),
      lastHash: String(r.last_hash),
      lastEventId: String(r.last_event_id),
    };
  }

  /** Rows for a walk here; on PostgreSQL with the database's hash of each row (`computed`). */
  async verifyBatch(ctx: RequestContext, afterSeq: number, limit: number): Promise<RawRow[]> {
    const m = this.m(ctx);
    if (!isPostgres(m)) return this.batchAfter(ctx, afterSeq, limit);
    return rawQuery<RawRow>(m, PG_VERIFY_ROWS, [ctx.groupId, afterSeq, limit]);
  }

  /** Groups holding rows older than `before` (retention): the one read across groups, ids only. */
  async groupsWithRowsBefore(ctx: RequestContext, before: number): Promise<string[]> {
    const rows = await rawQuery<RawRow>(this.m(ctx), 'SELECT DISTINCT group_id FROM audit_log WHERE occurred_at < ?', [before]);
    return rows.map((r) => String(r.group_id));
  }

  /**
   * The first `limit` rows after `afterSeq` (the checkpoint): the key range starts past the rows
   * already pruned, so the scan does not wade through their not-yet-vacuumed index entries.
   */
  async oldest(ctx: RequestContext, afterSeq: number, limit: number): Promise<{ seq: number; hash: string; occurredAt: number }[]> {
    const rows = await rawQuery<RawRow>(
      this.m(ctx),
      'SELECT seq, hash, occurred_at FROM audit_log WHERE group_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [ctx.groupId, afterSeq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), hash: String(r.hash), occurredAt: Number(r.occurred_at) }));
  }

  async deleteRange(ctx: RequestContext, afterSeq: number, throughSeq: number): Promise<void> {
    await rawQuery(this.m(ctx), 'DELETE FROM audit_log WHERE group_id = ? AND seq > ? AND seq <= ?', [ctx.groupId, afterSeq, throughSeq]);
  }
}
