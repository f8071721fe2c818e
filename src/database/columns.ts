import { Column, ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Neutral column helpers: the same entity set runs on SQLite and PostgreSQL.
 * Times are epoch milliseconds (the native wire format) stored as BIGINT.
 */
const epochTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

export function EpochColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'bigint', nullable: true, transformer: epochTransformer, ...options });
}

const jsonTransformer: ValueTransformer = {
  to: (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v)),
  from: (v: string | null): unknown => (v === null || v === undefined ? null : JSON.parse(v)),
};

/** JSON stored as text on both dialects (never queried inside the database). */
export function JsonColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'text', nullable: true, transformer: jsonTransformer, ...options });
}

export function BoolColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'boolean', default: false, ...options });
}

/**
 * Byte-wise comparison for the columns read as ranges or keyset orders: group paths (subtree
 * ranges), search keys (prefix ranges) and the list keys. On PostgreSQL these columns carry the "C"
 * collation whatever the database's default, so that `path >= '/root/a/' AND path < '/root/a0'` holds
 * the subtree of `a` and nothing else (under an ICU or glibc `en_US` default, `/root/A/` sorts inside
 * that range). SQLite compares BINARY (byte-wise) by default; its migrations leave these columns so.
 */
export const BYTEWISE = { collation: 'C' } as const;
