import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { DomainEvent } from './domain-event';

/** The hash before the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainRow extends DomainEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The canonical form of a row: a JSON array in a fixed order, so the hash does not depend on key
 * order, driver or dialect. Everything a reader relies on is inside it, including the previous hash.
 */
export function canonicalForm(r: Omit<ChainRow, 'hash'>): string {
  return JSON.stringify([
    r.groupId,
    r.seq,
    r.id,
    r.occurredAt,
    r.actor,
    r.subjectType,
    r.subjectId,
    r.action,
    [...r.fields].sort(),
    r.requestId,
    r.ip,
    r.client,
    r.prevHash,
  ]);
}

/** A stored row as the database returns it (fields as its JSON text, numbers possibly as strings). */
export type RawChainRow = Record<string, string | number | null>;

// eslint-disable-next-line no-control-regex -- JSON escapes U+0000..U+001F: matching those control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
/** JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
const q = (v: string | number | null) => {
  if (v === null) return 'null';
  const s = String(v);
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
};

/** One-shot SHA-256 (crypto.hash where the runtime has it: no hasher object per row). */
const sha256hex: (data: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(alg: string, d: string, enc: string): string }).hash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

/**
 * The canonical form straight from a stored row, without building objects: the fields column holds
 * JSON.stringify of the sorted names, which is exactly their place in `canonicalForm` (any other
 * text in it is a change, and changes the hash). Verification walks millions of rows through this.
 */
export function canonicalFormOfRaw(r: RawChainRow): string {
  return `[${q(r.group_id)},${Number(r.seq)},${q(r.event_id)},${Number(r.occurred_at)},${q(r.actor)},${q(r.subject_type)},${q(r.subject_id)},${q(r.action)},${String(r.fields)},${q(r.request_id)},${q(r.ip)},${q(r.client)},${q(r.prev_hash)}]`;
}

export function rawRowHash(r: RawChainRow): string {
  return sha256hex(canonicalFormOfRaw(r));
}

export function rowHash(r: Omit<ChainRow, 'hash'>): string {
  return createHash('sha256').update(canonicalForm(r)).digest('hex');
}

/** The signature of a checkpoint: who prunes must hold the key, so dropping head rows is detected. */
export function checkpointSignature(key: Buffer, groupId: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`caregate-audit-checkpoint.${groupId}.${seq}.${hash}`).digest('hex');
}

export function checkpointValid(key: Buffer, groupId: string, seq: number, hash: string, signature: string): boolean {
  const expected = Buffer.from(checkpointSignature(key, groupId, seq, hash), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
