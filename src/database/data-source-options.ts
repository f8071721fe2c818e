import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS } from './migrations/postgres';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

export type Dialect = 'sqlite' | 'postgres';

/** The part of better-sqlite3's `Database` the read path uses (TypeORM's `prepareDatabase` hands it over). */
export interface RawSqlite {
  pragma(s: string): unknown;
  prepare(sql: string): RawStatement;
}

export interface RawStatement {
  raw(on: boolean): RawStatement;
  all(...params: unknown[]): unknown[];
}

export function dialectOf(config: Pick<AppConfig, 'databaseUrl'>): Dialect {
  return config.databaseUrl ? 'postgres' : 'sqlite';
}

/**
 * The one place that turns configuration into TypeORM options (app, CLI and tests). `readOnly`
 * (SQLite) is the second connection of the write discipline (see TransactionRunner): it serves
 * reads outside transactions from WAL snapshots and refuses any write. `migrations` (PostgreSQL)
 * drops the statement timeout: building an index over a million users takes longer than a request may.
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'sqliteFile'> & Partial<Pick<AppConfig, 'db'>>,
  opts: { readOnly?: boolean; migrations?: boolean; onOpen?: (db: RawSqlite) => void } = {},
): DataSourceOptions {
  const common = { entities: ENTITIES, synchronize: false, migrationsRun: false, logging: false as const };
  if (config.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: config.databaseUrl,
      migrations: POSTGRES_MIGRATIONS,
      // Bounded waits: an unreachable or stalled database fails fast (503 + Retry-After) instead of
      // holding requests; the client-side read timeout covers a server that stops answering mid-query.
      extra: {
        max: 10,
        connectionTimeoutMillis: config.db?.connectTimeoutMs ?? 2000,
        ...(opts.migrations
          ? {}
          : { statement_timeout: config.db?.statementTimeoutMs ?? 3000, query_timeout: (config.db?.statementTimeoutMs ?? 3000) + 500 }),
      },
    };
  }
  if (opts.readOnly) {
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.sqliteFile,
      readonly: true,
      fileMustExist: true,
      enableWAL: false,
      prepareDatabase: (db: RawSqlite) => {
        db.pragma('busy_timeout = 5000');
        opts.onOpen?.(db);
      },
    };
  }
  if (config.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(config.sqliteFile), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.sqliteFile,
    migrations: SQLITE_MIGRATIONS,
    // WAL: readers get committed snapshots beside the one writer. synchronous=FULL: a commit is on
    // disk before the 200 goes out, power loss included (README "Durability" has the measurement).
    enableWAL: true,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = FULL');
    },
  };
}
