import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';

/**
 * Test databases: one migrated template per run (created by global-setup), and a fresh copy per
 * test file — `CREATE DATABASE ... TEMPLATE` on PostgreSQL, a file copy on SQLite.
 */
export const TEMPLATE_ENV = 'CAREGATE_TEST_TEMPLATE';

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates and migrates the template; returns its name (postgres) or file (sqlite). */
export async function createTemplate(): Promise<string> {
  const url = testDatabaseUrl();
  if (url) {
    const name = `caregate_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin(url, (c) => c.query(`CREATE DATABASE "${name}"`));
    const ds = new DataSource(dataSourceOptions({ databaseUrl: withDb(url, name), sqliteFile: '' }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    return name;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-tpl-'));
  const file = path.join(dir, 'template.sqlite');
  const ds = new DataSource({ ...dataSourceOptions({ sqliteFile: file }), enableWAL: false } as never);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return file;
}

export async function dropTemplate(template: string): Promise<void> {
  const url = testDatabaseUrl();
  if (url) await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS "${template}"`));
  else fs.rmSync(path.dirname(template), { recursive: true, force: true });
}

export interface TestDatabase {
  databaseUrl?: string;
  sqliteFile: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: run tests through jest (global-setup)`);
  const url = testDatabaseUrl();
  if (url) {
    const name = `caregate_t_${randomBytes(6).toString('hex')}`;
    await admin(url, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
    return {
      databaseUrl: withDb(url, name),
      sqliteFile: '',
      drop: () => admin(url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-t-'));
  const file = path.join(dir, 'caregate.sqlite');
  fs.copyFileSync(template, file);
  return { sqliteFile: file, drop: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })) };
}
