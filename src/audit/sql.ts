import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/statements';

/**
 * `?` placeholders for both dialects (PostgreSQL wants `$n`). With `prepared`, a statement of fixed
 * text that runs inside a transaction is prepared on PostgreSQL (`queryPrepared`).
 */
export function rawQuery<T = Record<string, unknown>>(
  m: EntityManager,
  sql: string,
  params: unknown[] = [],
  o: { prepared?: boolean } = {},
): Promise<T[]> {
  let i = 0;
  const text = m.connection.options.type === 'postgres' ? sql.replace(/\?/g, () => `$${++i}`) : sql;
  return o.prepared ? queryPrepared<T>(m, text, params) : m.query<T[]>(text, params);
}

export const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';
