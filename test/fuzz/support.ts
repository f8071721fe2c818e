import * as net from 'node:net';
import { DataSource } from 'typeorm';
import type { TestApp } from '../support/test-app';

export type Profile = 'native' | 'accounts' | 'infermedica' | 'nabla';

/** Which profile owns a path (the same prefixes as the ProfileRegistry; native is the fallback). */
export function profileOf(path: string): Profile {
  if (path === '/api/mgp/v1/users' || path.startsWith('/api/mgp/v1/users/')) return 'infermedica';
  if (path === '/v1/copilot-api/server/users' || path.startsWith('/v1/copilot-api/server/users/')) return 'nabla';
  if (path === '/v1/users' || path.startsWith('/v1/users/')) return 'accounts';
  return 'native';
}

/** Why a body is not in the profile's error shape, or null when it is. */
export function errorShapeProblem(profile: Profile, body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return `not a JSON object: ${JSON.stringify(body)}`;
  const b = body as Record<string, unknown>;
  switch (profile) {
    case 'infermedica':
      return typeof b.detail === 'string' || Array.isArray(b.detail) ? null : 'no "detail"';
    case 'accounts':
      return typeof b.errors === 'string' || (typeof b.errors === 'object' && b.errors !== null) ? null : 'no "errors"';
    case 'native':
    case 'nabla':
      return typeof b.message === 'string' && typeof b.code === 'string' && typeof b.status === 'number' ? null : 'no message/code/status';
  }
}

/** Row counts of every table (one statement), to prove that a refused request wrote nothing. */
export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const ds = t.get(DataSource);
  const postgres = ds.options.type === 'postgres';
  const tables: { name: string }[] = postgres
    ? await ds.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
    : await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`);
  // The audit trail records refused logins on purpose (security events): a 4xx may append there, and only there.
  const names = tables.map((r) => r.name).filter((n) => !['migrations', 'audit_log', 'outbox_events'].includes(n));
  const [row] = await ds.query<Record<string, string | number>[]>(
    `SELECT ${names.map((n, i) => `(SELECT COUNT(*) FROM "${n}") AS c${i}`).join(', ')}`,
  );
  return Object.fromEntries(names.map((n, i) => [n, Number(row[`c${i}`])]));
}

/** Sends raw bytes (what supertest cannot: oversized headers) and returns the parsed response. */
export function rawRequest(
  url: string,
  text: string,
): Promise<{ status: number; headers: Record<string, string>; body: unknown; raw: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setTimeout(10000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d: Buffer) => (data += d.toString('utf8')));
    socket.on('error', (e) => (data ? undefined : reject(e)));
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers = Object.fromEntries(
        lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const bodyText = rest.join('\r\n\r\n');
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        /* left as text */
      }
      resolve({ status, headers, body, raw: data });
    });
    socket.write(text);
  });
}

/** `[[[...]]]` nested `depth` times, as JSON text (never built as an object). */
export const deepArrayText = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
