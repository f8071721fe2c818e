import { fold } from '../common/text-search';
import { HealthcarePartyEntity } from './healthcare-party.entity';
import type { HealthcareParty } from './healthcare-party.model';

export { fold };

/** The iCure HealthcareParty document as a plain object (all fields optional). */
export type HcpDocument = Record<string, unknown> & { id?: string; rev?: string };

const COLUMNS = [
  'name',
  'lastName',
  'firstName',
  'nihii',
  'ssin',
  'cbe',
  'ehp',
  'speciality',
  'nihiiSpecCode',
  'parentId',
  'userId',
] as const;
const META = ['id', 'rev', 'created', 'modified', 'deletionDate', 'groupId'] as const;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/** Column values and the `extra` remainder of a document. */
export function toColumns(doc: HcpDocument): Partial<HealthcarePartyEntity> {
  const out: Partial<HealthcarePartyEntity> = {};
  for (const c of COLUMNS) (out as Record<string, unknown>)[c] = str(doc[c]);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if ((COLUMNS as readonly string[]).includes(k) || (META as readonly string[]).includes(k) || v === undefined) continue;
    extra[k] = v;
  }
  out.extra = extra;
  const words = [out.lastName, out.firstName, out.name, out.speciality]
    .filter((w): w is string => !!w)
    .map(fold)
    .join(' ')
    .trim();
  out.searchTerms = words ? ` ${words} ` : null;
  const addresses = Array.isArray(doc.addresses) ? (doc.addresses as { postalCode?: unknown }[]) : [];
  const codes = addresses.map((a) => (a && typeof a.postalCode === 'string' ? a.postalCode.trim() : '')).filter(Boolean);
  out.postalCodes = codes.length ? ` ${codes.join(' ')} ` : null;
  return out;
}

/** The document as served: extra fields, columns (non-null), metadata. */
export function toDocument(e: HealthcareParty): HcpDocument {
  const doc: HcpDocument = { ...(e.extra ?? {}), id: e.id, rev: e.rev, created: e.created, modified: e.modified };
  if (e.deletionDate !== null && e.deletionDate !== undefined) doc.deletionDate = e.deletionDate;
  for (const c of COLUMNS) if (e[c] !== null && e[c] !== undefined) doc[c] = e[c];
  return doc;
}
