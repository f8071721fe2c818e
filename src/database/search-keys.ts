import { EntityManager } from 'typeorm';
import { tokensOf } from '../common/text-search';

/**
 * Derivation of the `search_keys` rows of users and healthcare parties, from plain rows (the
 * migration that backfills existing rows uses it too, so it takes column-named objects).
 * A key longer than the column is dropped: it could only ever match by prefix, wrongly.
 */
export const SEP = '\u001f';
const MAX_KEY = 255;

export type KeyRow = { kind: string; key: string };

export interface UserKeySource {
  login: string | null;
  email: string | null;
  mobile_phone: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
}

export function userSearchKeys(u: UserKeySource): KeyRow[] {
  const phone = u.mobile_phone ? u.mobile_phone.replace(/\D+/g, '') : null;
  return tokensOf([u.name, u.first_name, u.last_name, u.login, u.email, phone]).map((key) => ({ kind: 'user', key }));
}

export interface HcpKeySource {
  name: string | null;
  last_name: string | null;
  first_name: string | null;
  speciality: string | null;
  nihii: string | null;
  ssin: string | null;
  cbe: string | null;
  ehp: string | null;
  nihii_spec_code: string | null;
  extra: Record<string, unknown> | null;
  postal_codes: string | null;
}

function codes(list: unknown, a: string, b: string): string[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && typeof (c as Record<string, unknown>)[a] === 'string')
    .map((c) => `${c[a] as string}${SEP}${typeof c[b] === 'string' ? c[b] : ''}`);
}

export function hcpSearchKeys(h: HcpKeySource): KeyRow[] {
  const out: KeyRow[] = [];
  const add = (kind: string, keys: (string | null | undefined)[]) => {
    for (const key of new Set(keys)) if (key && key.length <= MAX_KEY) out.push({ kind, key });
  };
  add('hcp', tokensOf([h.last_name, h.first_name, h.name, h.speciality]));
  add('hcp-id', [h.ssin, h.nihii, h.cbe, h.ehp]);
  const extra = h.extra ?? {};
  add('hcp-tag', codes(extra.tags, 'type', 'code'));
  add('hcp-code', codes(extra.codes, 'type', 'code'));
  add('hcp-ident', codes(extra.identifier, 'system', 'value'));
  if (h.speciality && h.nihii_spec_code)
    add(
      'hcp-spc',
      (h.postal_codes ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pc) => `${h.speciality}${SEP}${h.nihii_spec_code}${SEP}${pc}`),
    );
  const delegates: string[] = [];
  if (extra.hcPartyKeys && typeof extra.hcPartyKeys === 'object') delegates.push(...Object.keys(extra.hcPartyKeys));
  if (extra.aesExchangeKeys && typeof extra.aesExchangeKeys === 'object')
    for (const byDelegate of Object.values(extra.aesExchangeKeys as Record<string, unknown>))
      if (byDelegate && typeof byDelegate === 'object') delegates.push(...Object.keys(byDelegate));
  add('hcp-deleg', delegates);
  return out;
}

/** Replaces the keys of one document (kinds starting with `kindPrefix`) by `keys`. */
export async function replaceSearchKeys(
  m: EntityManager,
  pg: boolean,
  groupId: string,
  kindPrefix: string,
  docId: string,
  keys: KeyRow[],
): Promise<void> {
  const p = (i: number) => (pg ? `$${i}` : '?');
  await m.query(`DELETE FROM search_keys WHERE group_id = ${p(1)} AND kind >= ${p(2)} AND kind < ${p(3)} AND doc_id = ${p(4)}`, [
    groupId,
    kindPrefix,
    `${kindPrefix}~`,
    docId,
  ]);
  await insertSearchKeys(m, pg, groupId, docId, keys);
}

export async function insertSearchKeys(m: EntityManager, pg: boolean, groupId: string, docId: string, keys: KeyRow[]): Promise<void> {
  await insertSearchKeysOfMany(
    m,
    pg,
    groupId,
    keys.map((k) => ({ ...k, docId })),
  );
}

/** The keys of several documents of one group, in multi-row INSERTs (bulk import). */
export async function insertSearchKeysOfMany(
  m: EntityManager,
  pg: boolean,
  groupId: string,
  keys: (KeyRow & { docId: string })[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const params: string[] = [];
    const tuples = chunk.map((k) => {
      params.push(groupId, k.kind, k.key, k.docId);
      const n = params.length;
      return pg ? `($${n - 3}, $${n - 2}, $${n - 1}, $${n})` : '(?, ?, ?, ?)';
    });
    await m.query(`INSERT INTO search_keys (group_id, kind, key, doc_id) VALUES ${tuples.join(', ')}`, params);
  }
}
