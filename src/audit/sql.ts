import type { EntityManager } from 'typeorm';

/** `?` placeholders for both dialects (PostgreSQL wants `$n`). */
export function rawQuery<T = Record<string, unknown>>(m: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  let i = 0;
  const text = m.connection.options.type === 'postgres' ? sql.replace(/\?/g, () => `$${++i}`) : sql;
  return m.query<T[]>(text, params);
}

export const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';
