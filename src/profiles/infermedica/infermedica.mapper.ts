import { ValidationError } from '../../common/errors';
import { parseEmail } from '../../common/validation/email';
import { parsePhone } from '../../common/validation/phone';
import { parseUuid } from '../../common/validation/uuid';
import type { User } from '../../users/user.model';
import { PydanticIssue, pydanticIssue, PYDANTIC_URL } from './infermedica-error.renderer';

export interface InfermedicaUser {
  id: string;
  email: string | null;
  phone: string | null;
}

export function toInfermedicaUser(u: User): InfermedicaUser {
  return { id: u.id, email: u.email, phone: u.mobilePhone };
}

/** The path's user_id as pydantic's UUID type parses it (422 uuid_parsing otherwise). */
export function userIdOf(raw: string): string {
  const r = parseUuid(raw);
  if ('uuid' in r) return r.uuid;
  throw new ValidationError([
    pydanticIssue({
      type: 'uuid_parsing',
      loc: ['path', 'user_id'],
      msg: `Input should be a valid UUID, ${r.problem}`,
      input: raw,
      ctx: { error: r.problem },
      url: `${PYDANTIC_URL}/uuid_parsing`,
    }),
  ]);
}

/** The create/PATCH body: optional email and phone, each a string or null; other keys ignored. */
export function contactFields(body: unknown): { email?: string | null; mobilePhone?: string | null } {
  if (body === undefined)
    throw new ValidationError([
      pydanticIssue({ type: 'missing', loc: ['body'], msg: 'Field required', input: null, url: `${PYDANTIC_URL}/missing` }),
    ]);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError([
      pydanticIssue({
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
        url: `${PYDANTIC_URL}/model_attributes_type`,
      }),
    ]);
  }
  const o = body as Record<string, unknown>;
  const issues: PydanticIssue[] = [];
  const out: { email?: string | null; mobilePhone?: string | null } = {};
  for (const key of ['email', 'phone'] as const) {
    if (!(key in o)) continue;
    const v = o[key];
    if (v === null) {
      out[key === 'email' ? 'email' : 'mobilePhone'] = null;
      continue;
    }
    if (typeof v !== 'string') {
      issues.push({
        type: 'string_type',
        loc: ['body', key],
        msg: 'Input should be a valid string',
        input: v,
        url: `${PYDANTIC_URL}/string_type`,
      });
      continue;
    }
    if (key === 'email') {
      const r = parseEmail(v);
      if ('reason' in r)
        issues.push({
          type: 'value_error',
          loc: ['body', 'email'],
          msg: `value is not a valid email address: ${r.reason}`,
          input: v,
          ctx: { reason: r.reason },
        });
      else out.email = r.email;
    } else {
      const e164 = parsePhone(v);
      if (!e164)
        issues.push({
          type: 'value_error',
          loc: ['body', 'phone'],
          msg: 'Value error, value is not a valid phone number',
          input: v,
          ctx: { error: {} },
          url: `${PYDANTIC_URL}/value_error`,
        });
      else out.mobilePhone = e164;
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return out;
}

function intParam(name: string, raw: unknown, def: number, min: number, max?: number): number {
  if (raw === undefined) return def;
  // A query value: a string, or a list of them when the parameter is repeated.
  const s = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : JSON.stringify(raw);
  const loc = ['query', name];
  if (!/^[-+]?\d+$/.test(s.trim()))
    throw new ValidationError([
      pydanticIssue({
        type: 'int_parsing',
        loc,
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: raw,
        url: `${PYDANTIC_URL}/int_parsing`,
      }),
    ]);
  const n = Number(s);
  if (n < min)
    throw new ValidationError([
      pydanticIssue({
        type: 'greater_than_equal',
        loc,
        msg: `Input should be greater than or equal to ${min}`,
        input: raw,
        ctx: { ge: min },
        url: `${PYDANTIC_URL}/greater_than_equal`,
      }),
    ]);
  if (max !== undefined && n > max)
    throw new ValidationError([
      pydanticIssue({
        type: 'less_than_equal',
        loc,
        msg: `Input should be less than or equal to ${max}`,
        input: raw,
        ctx: { le: max },
        url: `${PYDANTIC_URL}/less_than_equal`,
      }),
    ]);
  return n;
}

export const LIST_DEFAULT_LIMIT = 10;
export const LIST_MAX_LIMIT = 100;

export function listParams(q: Record<string, unknown>): { cursor: number; limit: number } {
  return { cursor: intParam('cursor', q.cursor, 0, 0), limit: intParam('limit', q.limit, LIST_DEFAULT_LIMIT, 1, LIST_MAX_LIMIT) };
}

/** The document's list envelope: self/first/prev/next/last links around `items`. */
export function listEnvelope(base: string, cursor: number, limit: number, total: number, items: InfermedicaUser[]) {
  const link = (c: number) => `${base}?limit=${limit}&cursor=${c}`;
  const last = Math.max(0, Math.ceil(total / limit) - 1);
  return {
    self: link(cursor),
    first: link(0),
    prev: cursor > 0 ? link(Math.min(cursor - 1, last)) : null,
    next: cursor < last ? link(cursor + 1) : null,
    last: link(last),
    items,
  };
}
