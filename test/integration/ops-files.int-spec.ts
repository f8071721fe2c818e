import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { createGroup, createUser } from '../support/fixtures';
import { startApp } from '../support/test-app';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

interface Service {
  build?: unknown;
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition: string }>;
}

/** compose.yaml is checked by parsing it (no Docker engine in CI). */
describe('compose.yaml', () => {
  const compose = parse(fs.readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8')) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const { caregate, postgres, redis } = compose.services;

  it('runs Caregate built from the Dockerfile with PostgreSQL 15 and Redis 7, each with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['caregate', 'postgres', 'redis']);
    expect(caregate.build).toBe('.');
    expect(postgres.image).toMatch(/^postgres:15(\b|-)/);
    expect(redis.image).toMatch(/^redis:7(\b|-)/);
    for (const s of [caregate, postgres, redis]) expect(s.healthcheck?.test?.length).toBeGreaterThan(0);
    expect(caregate.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });

  it('configures production: NODE_ENV, DATABASE_URL and REDIS_URL on the services, metrics token, and a mounted signing key file', () => {
    const env = caregate.environment!;
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.CAREGATE_METRICS_TOKEN).toBeDefined();
    const keyDir = path.posix.dirname(env.CAREGATE_JWT_PRIVATE_KEY_FILE);
    expect(caregate.volumes!.some((v) => v.split(':')[1] === keyDir && v.endsWith(':ro'))).toBe(true);
    expect(env.CAREGATE_JWT_PRIVATE_KEY).toBeUndefined();
  });

  it('keeps every piece of state in a declared named volume', () => {
    const named = (s: Service) => (s.volumes ?? []).map((v) => v.split(':')[0]).filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(named(caregate)).toEqual(['caregate-data']);
    expect(named(postgres)).toEqual(['postgres-data']);
    expect(named(redis)).toEqual(['redis-data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['caregate-data', 'postgres-data', 'redis-data']);
    expect(postgres.volumes![0]).toMatch(/:\/var\/lib\/postgresql\/data$/);
  });

  it('the Dockerfile builds with the same steps as the README (npm ci, npm run build)', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const step of ['npm ci', 'npm run build']) {
      expect(dockerfile).toContain(step);
      expect(readme).toContain(step);
    }
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

/** The README's backup and restore commands, run for real on the database in use. */
describe('scripts/backup-restore.sh', () => {
  it('backs up a live database and restores it with every row', async () => {
    const t = await startApp();
    try {
      const g = await createGroup(t);
      for (let i = 0; i < 3; i++) await createUser(t, g);
      const args = t.db.databaseUrl ? ['verify-pg', t.db.databaseUrl] : ['verify-sqlite', path.dirname(t.db.sqliteFile)];
      const { stdout } = await run('bash', [path.join(ROOT, 'scripts', 'backup-restore.sh'), ...args], { cwd: ROOT, timeout: 120000 });
      expect(stdout).toMatch(/restore verified/);
      // root admin + 3 users, and the groups: the restored copy holds what the live one does.
      expect(stdout).toMatch(/restored: users 4\b/);
      expect(stdout).toMatch(/restored: groups 2\b/);
    } finally {
      await t.close();
    }
  }, 150000);
});
