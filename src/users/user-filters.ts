import { ValidationError } from '../common/errors';

/** The iCure user filters (contract 3.3), discriminated by `$type`. */
export type UserFilter =
  | { $type: 'AllUsersFilter'; desc?: boolean }
  | { $type: 'UserByIdsFilter'; ids: string[]; desc?: boolean }
  | { $type: 'UsersByPatientIdFilter'; patientId: string; desc?: boolean }
  | { $type: 'UserByNameEmailPhoneFilter'; searchString: string; desc?: boolean }
  | { $type: 'UnionFilter'; filters: UserFilter[]; desc?: boolean }
  | { $type: 'IntersectionFilter'; filters: UserFilter[]; desc?: boolean }
  | { $type: 'ComplementFilter'; superSet: UserFilter; subSet: UserFilter; desc?: boolean };

const MAX_DEPTH = 8;
const MAX_IDS = 10000;

function bad(path: string, msg: string, input?: unknown): never {
  throw new ValidationError([{ loc: path.split('.'), type: 'value_error', msg, input }]);
}

function str(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) bad(`${path}.${key}`, `${key} must be a non-empty string`, v);
  return v;
}

/** Parses and checks a filter: missing or unknown `$type` is a 400, as in iCure. */
export function parseUserFilter(raw: unknown, path = 'filter', depth = 0): UserFilter {
  if (depth > MAX_DEPTH) bad(path, `Filters nest at most ${MAX_DEPTH} levels`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad(path, 'A filter object is required', raw);
  const o = raw as Record<string, unknown>;
  const desc = o.desc === undefined || o.desc === null ? undefined : o.desc === true;
  const type = o.$type;
  if (typeof type !== 'string') bad(`${path}.$type`, 'Missing discriminator $type', type);
  const list = (key: string) => {
    const v = o[key];
    if (!Array.isArray(v) || v.length > 100) bad(`${path}.${key}`, `${key} must be an array of at most 100 filters`, v);
    return v.map((f, i) => parseUserFilter(f, `${path}.${key}.${i}`, depth + 1));
  };
  switch (type) {
    case 'AllUsersFilter':
      return { $type: type, desc };
    case 'UserByIdsFilter': {
      const ids = o.ids;
      if (!Array.isArray(ids) || ids.length > MAX_IDS || ids.some((i) => typeof i !== 'string'))
        bad(`${path}.ids`, `ids must be an array of at most ${MAX_IDS} strings`, ids);
      return { $type: type, ids: ids as string[], desc };
    }
    case 'UsersByPatientIdFilter':
      return { $type: type, patientId: str(o, 'patientId', path), desc };
    case 'UserByNameEmailPhoneFilter':
      return { $type: type, searchString: str(o, 'searchString', path), desc };
    case 'UnionFilter':
    case 'IntersectionFilter':
      return { $type: type, filters: list('filters'), desc };
    case 'ComplementFilter':
      return {
        $type: type,
        superSet: parseUserFilter(o.superSet, `${path}.superSet`, depth + 1),
        subSet: parseUserFilter(o.subSet, `${path}.subSet`, depth + 1),
        desc,
      };
    default:
      return bad(`${path}.$type`, `Invalid subclass ${type} for a user filter`, type);
  }
}
