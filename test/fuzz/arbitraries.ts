import fc from 'fast-check';
import type { Operation, Schema } from './openapi-model';
import { deepArrayText } from './support';

/** Ids the generators draw from, so that some requests reach real rows (and their tenancy checks). */
export interface IdPool {
  /** Rows a request may change or delete without breaking the run (a victim user and group). */
  victims: string[];
  /** Rows of the callers: read and update only (a DELETE or move on them would end the run early). */
  callers: string[];
  logins: string[];
}

export type Actor = 'anonymous' | 'member' | 'administrator';

export interface FuzzRequest {
  actor: Actor;
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  /** Raw body text (duplicate keys and deep nesting cannot be built as objects). */
  body?: string;
}

const CONTROL = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));

/** Strings a client should never be able to turn into a 5xx. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(CONTROL, fc.string({ maxLength: 3 })), { maxLength: 10 }).map((a) => a.join('')),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u0001\u001f\u007f',
    '\ud800',
    '\uffff',
    "' OR 1=1 --",
    '%00',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    '*',
    '%',
    '_',
    '\\',
    'null',
    'undefined',
    'NaN',
    '1e309',
    '-1',
    '0',
    '9007199254740993',
    '2024-02-30',
    'not-an-email@',
    '+0000000000000000000000',
  ),
  fc.integer({ min: 256, max: 70000 }).map((n) => 'x'.repeat(n)),
);

/** Any JSON value of a wrong kind: null, wrong types, huge, deep, `__proto__`-laden. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: fc.constant(null), weight: 3 },
  fc.boolean(),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 2 ** 53 + 2, 1e308, -1e308, 1.5)),
  fc.constantFrom([], {}, [null], [[]], { $type: 'UnionFilter', filters: [null] }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 10, max: 60 }).map((d) => nested(d)),
  fc.integer({ min: 100, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
);

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const FILTER_TYPES = [
  'AllUsersFilter',
  'UserByIdsFilter',
  'UserByNameEmailPhoneFilter',
  'UsersByPatientIdFilter',
  'UnionFilter',
  'IntersectionFilter',
  'ComplementFilter',
  'AllHealthcarePartiesFilter',
  'HealthcarePartyByIdsFilter',
  'HealthcarePartyByNameFilter',
  'HealthcarePartyByIdentifiersFilter',
  'HealthcarePartyByTagCodeFilter',
];

/** A value that follows the schema (mostly), so that requests get past the validators into the core. */
function validish(schema: Schema, resolve: (s: Schema) => Schema, ids: IdPool, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 4) return fc.constant(null);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const variants = s.oneOf ?? s.anyOf ?? s.allOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => validish(v, resolve, ids, depth + 1)));
  const exampleish = s.example !== undefined ? [fc.constant(s.example)] : [];
  switch (s.type) {
    case 'string':
      return fc.oneof(
        ...exampleish,
        fc.constantFrom(...ids.victims, ...ids.callers, ...ids.logins),
        fc.string({ maxLength: 20 }),
        fc.emailAddress(),
      );
    case 'number':
    case 'integer':
      return fc.oneof(...exampleish, fc.integer({ min: -5, max: 5000 }));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validish(s.items ?? {}, resolve, ids, depth + 1), { maxLength: 3 });
    case 'object':
    case undefined: {
      const props = Object.entries(s.properties ?? {});
      if (!props.length)
        return fc.oneof(
          fc.record({
            $type: fc.constantFrom(...FILTER_TYPES),
            ids: fc.array(fc.constantFrom(...ids.victims, ...ids.callers), { maxLength: 3 }),
            searchString: fc.string({ maxLength: 8 }),
            filters: fc.array(fc.record({ $type: fc.constantFrom(...FILTER_TYPES) }), { maxLength: 2 }),
          }),
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        );
      const required = new Set(s.required ?? []);
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, validish(v, resolve, ids, depth + 1)])), {
        requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * Marks a body as "the caller's own current document (with its rev) with these fields changed": the
 * runner substitutes it at send time, so that full-document writes get past the revision check.
 */
export const OWN_DOCUMENT = '\u0001own:';

/** The body text: a valid-ish document with one field broken, or something that is not a document at all. */
function bodyText(op: Operation, resolve: (s: Schema) => Schema, ids: IdPool): fc.Arbitrary<string | undefined> {
  const base = op.body ? validish(op.body, resolve, ids) : fc.constant({});
  const fieldNames = Object.keys(op.body ? (resolve(op.body).properties ?? {}) : {});
  const keyArb = fieldNames.length
    ? fc.oneof({ arbitrary: fc.constantFrom(...fieldNames), weight: 4 }, fc.string({ maxLength: 12 }))
    : fc.string({ maxLength: 12 });
  const mutated = fc.tuple(base, keyArb, nastyValue).map(([doc, key, value]) => {
    if (doc === null || typeof doc !== 'object') return JSON.stringify(value);
    if (Array.isArray(doc)) return JSON.stringify(doc.length ? (doc as unknown[]).map((d, i) => (i === 0 ? value : d)) : [value]);
    return JSON.stringify({ ...doc, [key]: value });
  });
  const withText = (f: (json: string) => string) => base.map((doc) => f(JSON.stringify(doc) ?? 'null'));
  const objectText = (json: string, extra: string) =>
    json.startsWith('{') ? `{${extra}${json.length > 2 ? `,${json.slice(1, -1)}` : ''}}` : `{${extra}}`;
  const ownDocument = fieldNames.includes('rev')
    ? [{ arbitrary: fc.tuple(keyArb, nastyValue).map(([k, v]) => `${OWN_DOCUMENT}${JSON.stringify({ [k]: v })}`), weight: 4 }]
    : [];
  return fc.oneof(
    ...ownDocument,
    { arbitrary: base.map((d) => JSON.stringify(d)), weight: 3 },
    { arbitrary: mutated, weight: 6 },
    { arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
    // duplicate keys: the parser keeps the last; whatever it keeps must be validated
    withText((j) =>
      objectText(
        j,
        Object.keys((JSON.parse(j) as object | null) ?? {})
          .map((k) => `${JSON.stringify(k)}:null`)
          .join(',') || '"id":null',
      ),
    ),
    withText((j) => objectText(j, '"__proto__":{"roles":["ADMINISTRATOR"],"isAdmin":true}')),
    withText((j) => objectText(j, '"constructor":{"prototype":{"isAdmin":true}}')),
    fc.constantFrom(64, 65, 200, 20000).map((d) => `{"x":${deepArrayText(d)}}`),
    fc.constantFrom(64, 1000).map((d) => `${'{"filter":'.repeat(d)}1${'}'.repeat(d)}`),
    fc.constantFrom('', 'null', '{', '{"a":1,}', '[1,2', '"\\u0000"', '{"a":"\\ud800"}', '\u0000', 'NaN', '1e99999'),
    { arbitrary: fc.constant(undefined), weight: 2 },
  );
}

function pathValue(ids: string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 5 }, { arbitrary: nastyString.filter((s) => s.length < 2000), weight: 3 });
}

/** Percent-encodes the UTF-8 bytes (lone surrogates included, which encodeURIComponent refuses). */
function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');
}

const shortNasty = nastyString.filter((v) => v.length < 4000);

const DESTRUCTIVE = /\/(hard|parent|password|reset|cancel|deactivate|dd)\b/;

export function requestArbitrary(op: Operation, resolve: (s: Schema) => Schema, ids: IdPool): fc.Arbitrary<FuzzRequest> {
  const destructive = op.method === 'DELETE' || DESTRUCTIVE.test(op.path);
  const idChoices = destructive ? [...ids.victims, ...ids.logins.slice(0, 1)] : [...ids.victims, ...ids.callers, ...ids.logins];
  const pathArb = fc.tuple(...op.pathParams.map(() => pathValue(idChoices))).map((values) => {
    let p = op.path;
    op.pathParams.forEach((name, i) => (p = p.replace(`{${name}}`, enc(values[i]))));
    return p;
  });
  const queryValue = fc.oneof(validish({ type: 'string' }, resolve, ids).map(String), nastyString, fc.integer().map(String));
  const queryArb = fc
    .tuple(
      fc.subarray(op.query.map((q) => q.name)).chain((names) => fc.tuple(...names.map((n) => queryValue.map((v) => [n, v] as const)))),
      fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'limit', 'ts', 'a[b]', ''), nastyString), { maxLength: 2 }),
      fc.boolean(),
    )
    .map(([declared, extra, duplicate]) => {
      const pairs = [...declared, ...extra, ...(duplicate && declared.length ? [declared[0]] : [])];
      return pairs.length ? `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '';
    });
  const anonymousAuth = fc.oneof(
    fc.constantFrom(
      undefined,
      'Bearer x.y.z',
      'Bearer ',
      'Basic !!!',
      `Basic ${Buffer.from('admin\u0000:pw').toString('base64')}`,
      `Basic ${Buffer.from(':').toString('base64')}`,
      `Basic ${Buffer.from('a'.repeat(2000)).toString('base64')}`,
      'Digest abc',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ),
    shortNasty.map((v) => `Bearer ${v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')}`),
    shortNasty.map((v) => `Basic ${Buffer.from(`${v}:${v}`).toString('base64')}`),
  );
  // Only what Node's HTTP parser lets through (it answers 400 itself to control characters, see
  // known-cases): fastify.inject would pass anything.
  const headerValue = fc.oneof(shortNasty, fc.string({ maxLength: 60 })).map((v) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?'));
  const headerArb = fc.record(
    {
      contentType: fc.oneof(
        { arbitrary: fc.constant('application/json'), weight: 8 },
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
          'application/json; charset=latin1',
          'multipart/form-data',
        ),
      ),
      anonymousAuth,
      requestId: fc.oneof(
        fc.constant(undefined),
        fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      ),
      extra: fc.option(
        fc.tuple(
          fc.constantFrom(
            'accept',
            'accept-language',
            'x-forwarded-for',
            'origin',
            'if-none-match',
            'refresh-token',
            'x-user-token',
            'cookie',
          ),
          headerValue,
        ),
      ),
    },
    { requiredKeys: ['contentType'] },
  );
  return fc
    .record({
      actor: fc.constantFrom<Actor>('anonymous', 'member', 'administrator'),
      path: pathArb,
      query: queryArb,
      headers: headerArb,
      body:
        op.body || op.method !== 'GET'
          ? bodyText(op, resolve, ids)
          : fc.option(bodyText(op, resolve, ids), { freq: 5 }).map((b) => b ?? undefined),
    })
    .map(({ actor, path, query, headers, body }) => {
      const h: Record<string, string> = {};
      if (body !== undefined) h['content-type'] = headers.contentType;
      if (actor === 'anonymous' && headers.anonymousAuth) h.authorization = headers.anonymousAuth;
      if (headers.requestId) h['x-request-id'] = headers.requestId;
      if (headers.extra) h[headers.extra[0]] = headers.extra[1];
      return { actor, method: op.method, url: `${path}${query}`, headers: h, body };
    });
}
