import { ValidationError } from './errors';

/** The native profile's keyset page (iCure PaginatedList). */
export interface KeysetPage<T> {
  pageSize: number;
  totalSize: number;
  rows: T[];
  nextKeyPair?: { startKey: unknown; startKeyDocId: string };
}

export interface KeysetQuery {
  startKey?: string;
  startDocumentId?: string;
  limit: number;
}

/**
 * `totalSize` is counted up to this many rows and then reported as this value: an exact count
 * would read every row of a large group on every page (iCure's clients never read it).
 */
export const COUNT_CAP = 10_000;

/** Routes answering a bare id list (`match`) return at most this many ids, the first in id order. */
export const MATCH_CAP = 10_000;

/**
 * The one page-size rule: absent -> the configured default; not a whole number from 1 to the
 * configured maximum -> a validation error naming `limit` (each profile renders it its way).
 */
export function pageLimit(limit: unknown, rule: { defaultLimit: number; maxLimit: number }): number {
  if (limit === undefined || limit === null || limit === '') return rule.defaultLimit;
  const n = typeof limit === 'string' && /^-?\d+$/.test(limit) ? Number(limit) : limit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > rule.maxLimit) {
    throw new ValidationError([
      { loc: ['limit'], type: 'value_error', msg: `limit must be an integer from 1 to ${rule.maxLimit}`, input: limit },
    ]);
  }
  return n;
}

/** Turn `limit + 1` fetched rows into a page; the extra row becomes `nextKeyPair`. */
export function toKeysetPage<T extends { id: string }>(
  fetched: T[],
  limit: number,
  totalSize: number,
  keyOf: (row: T) => unknown,
): KeysetPage<T> {
  const rows = fetched.slice(0, limit);
  const next = fetched.length > limit ? fetched[limit] : undefined;
  return {
    pageSize: limit,
    totalSize,
    rows,
    ...(next ? { nextKeyPair: { startKey: keyOf(next), startKeyDocId: next.id } } : {}),
  };
}

export interface OffsetPage<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
