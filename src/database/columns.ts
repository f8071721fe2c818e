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
