import { Injectable } from '@nestjs/common';
import { ValidationError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { checkpointValid, rawRowHash } from './audit-chain';
import { AuditFilter, AuditRepository, toChainRow } from './audit.repository';
import type { ChainRow } from './audit-chain';
import { AuditSigningKey } from './signing-key';

export interface AuditPage {
  pageSize: number;
  rows: ChainRow[];
  /** Pass as `startKey` for the next (older) page. */
  nextKeyPair?: { startKey: number; startKeyDocId: string };
}

export interface VerifyResult {
  ok: boolean;
  groupId: string;
  /** Rows checked (after the checkpoint, if any). */
  count: number;
  checkpoint: { seq: number; hash: string } | null;
  head: { seq: number; hash: string } | null;
  brokenAt?: { seq: number; eventId: string | null; reason: string };
}

const WALK_BATCH = 20000;
const VERDICT_BATCH = 50000;

/** Reading and checking a group's audit trail; `ctx` is already in the audited group (inGroup check done). */
@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly key: AuditSigningKey,
  ) {}

  async page(ctx: RequestContext, f: AuditFilter, limit: number): Promise<AuditPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new ValidationError([{ loc: ['limit'], type: 'value_error', msg: 'limit must be an integer from 1 to 1000', input: limit }]);
    if (f.from !== undefined && f.to !== undefined && f.from > f.to)
      throw new ValidationError([{ loc: ['from'], type: 'value_error', msg: 'from must not be after to', input: f.from }]);
    const fetched = await this.repo.page(ctx, f, limit + 1);
    const rows = fetched.slice(0, limit);
    const next = fetched.length > limit ? rows[rows.length - 1] : undefined;
    return { pageSize: limit, rows, ...(next ? { nextKeyPair: { startKey: next.seq, startKeyDocId: next.id } } : {}) };
  }

  /**
   * Walks the chain from its signed checkpoint (or the genesis): each row's hash must be the hash of
   * its canonical form, its prevHash the previous row's hash, its seq the next number. The first
   * failure is answered; a row rewritten with a consistent hash is caught by the next row's link.
   */
  async verify(ctx: RequestContext): Promise<VerifyResult> {
    const groupId = ctx.groupId;
    const cp = await this.repo.checkpoint(ctx, groupId);
    const base = { groupId, checkpoint: cp ? { seq: cp.seq, hash: cp.hash } : null };
    if (cp && !checkpointValid(this.key.get(), groupId, cp.seq, cp.hash, cp.signature))
      return {
        ...base,
        ok: false,
        count: 0,
        head: null,
        brokenAt: { seq: cp.seq, eventId: null, reason: 'checkpoint signature is invalid' },
      };
    let prev = cp ? { seq: cp.seq, hash: cp.hash, eventId: null as string | null } : { seq: 0, hash: '0'.repeat(64), eventId: null };
    let count = 0;
    const at = (seq: number, eventId: string | null, reason: string): VerifyResult => ({
      ...base,
      ok: false,
      count,
      head: null,
      brokenAt: { seq, eventId, reason },
    });
    // PostgreSQL checks whole batches itself; only a batch with a problem is walked row by row below.
    for (;;) {
      const v = await this.repo.verdict(ctx, prev.seq, prev.hash, VERDICT_BATCH);
      if (!v || !v.n || v.firstBad !== null) break;
      prev = { seq: v.lastSeq, hash: v.lastHash, eventId: v.lastEventId };
      count += v.n;
      if (v.n < VERDICT_BATCH) break;
    }
    for (;;) {
      const batch = await this.repo.verifyBatch(ctx, prev.seq, WALK_BATCH);
      for (const raw of batch) {
        const seq = Number(raw.seq);
        const hash = String(raw.hash);
        if (seq !== prev.seq + 1) return at(seq, String(raw.event_id), `rows ${prev.seq + 1} to ${seq - 1} are missing`);
        if ((raw.computed ?? rawRowHash(raw)) !== hash) return at(seq, String(raw.event_id), 'row content does not match its hash');
        if (String(raw.prev_hash) !== prev.hash)
          return prev.eventId
            ? // The previous row still matches its own hash: it was rewritten with a recomputed hash.
              at(prev.seq, prev.eventId, 'row was rewritten: its hash is not the next row’s prevHash')
            : at(seq, String(raw.event_id), 'prevHash does not match the checkpoint');
        prev = { seq, hash, eventId: String(raw.event_id) };
        count++;
      }
      if (batch.length < WALK_BATCH) break;
    }
    return { ...base, ok: true, count, head: count || cp ? { seq: prev.seq, hash: prev.hash } : null };
  }

  /** Every row of the chain, oldest first, as JSON lines. */
  async *exportLines(ctx: RequestContext): AsyncGenerator<string> {
    let after = 0;
    for (;;) {
      const batch = await this.repo.batchAfter(ctx, after, WALK_BATCH);
      for (const raw of batch) {
        const row = toChainRow(raw);
        after = row.seq;
        yield `${JSON.stringify(row)}\n`;
      }
      if (batch.length < WALK_BATCH) return;
    }
  }
}
