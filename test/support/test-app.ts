import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/config';
import { freshDatabase, TestDatabase } from './database';

export const ADMIN_LOGIN = 'admin';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

/** Fast argon2 for tests; one test (auth/password-hasher) proves the production defaults. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  CAREGATE_ADMIN_LOGIN: ADMIN_LOGIN,
  CAREGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  CAREGATE_ARGON2_MEMORY_KIB: '1024',
  CAREGATE_ARGON2_TIME_COST: '1',
  CAREGATE_AUTH_RATE_LIMIT: '100000',
  CAREGATE_AUTH_FAILURE_LIMIT: '100000',
  CAREGATE_EMAIL_CHECK_RATE_LIMIT: '100000',
  // Suites that test webhooks run the worker themselves (runOnce) or switch it on.
  CAREGATE_WEBHOOK_WORKER: 'false',
};

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  config: AppConfig;
  /** supertest against the in-process server. */
  http: () => TestAgent;
  /** Base URL when started with `listen: true` (for real clients such as @icure/api). */
  url: string;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/**
 * Boots the real application on a fresh migrated database (SQLite, or PostgreSQL when
 * TEST_DATABASE_URL is set). `env` overrides configuration variables for this app only.
 */
export async function startApp(
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    listen?: boolean;
    shareDatabaseWith?: TestApp;
    logDestination?: DestinationStream;
  } = {},
): Promise<TestApp> {
  const shared = opts.shareDatabaseWith?.db;
  const db: TestDatabase = shared ? { ...shared, drop: () => Promise.resolve() } : await freshDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-data-'));
  const discard = async () => {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let config: AppConfig;
  let app: NestFastifyApplication;
  try {
    config = loadConfig({
      ...TEST_ENV,
      CAREGATE_DATA_DIR: dataDir,
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
      ...opts.env,
    });
    if (!db.databaseUrl) config.sqliteFile = db.sqliteFile;
    app = await createApp(config, { clock: opts.clock, logDestination: opts.logDestination });
  } catch (e) {
    // A configuration the test expects to be refused must not leave its database behind.
    await discard();
    throw e;
  }
  let url = '';
  if (opts.listen) {
    await app.listen(0, '127.0.0.1');
    const addr = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${addr.port}`;
  }
  return {
    app,
    db,
    config,
    url,
    http: () => request(app.getHttpServer()),
    get: (type) => app.get(type as never),
    close: async () => {
      await app.close();
      await discard();
    },
  };
}
