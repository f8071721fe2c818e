import { randomBytes, randomUUID } from 'node:crypto';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ANY_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const GROUP_ID = /^[a-zA-Z0-9_-]{1,64}$/;

export function newId(): string {
  return randomUUID();
}

/** CouchDB-style revision: `<generation>-<32 hex>`; the generation counts writes. */
export function nextRev(previous?: string | null): string {
  const gen = previous ? Number.parseInt(previous.split('-')[0], 10) || 0 : 0;
  return `${gen + 1}-${randomBytes(16).toString('hex')}`;
}
