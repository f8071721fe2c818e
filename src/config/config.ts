import * as path from 'node:path';

/**
 * Typed configuration, read once from the environment and validated at boot.
 * Every variable is listed in README.md with its default; `npm run config:table` prints that table
 * from CONFIG_VARIABLES below and src/config/readme.spec.ts fails when the README's copy drifts.
 */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  dataDir: string;
  databaseUrl?: string;
  sqliteFile: string;
  runMigrations: boolean;
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  redisPrefix: string;
  smtpUrl?: string;
  mailFrom: string;
  /** Unset in production unless configured: SMS delivery then fails with 503. */
  smsProvider?: 'log' | 'http';
  smsHttpUrl?: string;
  registrationGroup?: string;
  admin: { login: string; password?: string };
  jwt: {
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    privateKeyPem?: string;
    privateKeyFile?: string;
    keyId?: string;
    publicKeysFile?: string;
  };
  argon2: { memoryKiB: number; timeCost: number; parallelism: number };
  /** libuv pool threads (UV_THREADPOOL_SIZE; the entry point sets it to the CPU count unless given). */
  threadPoolSize: number;
  password: { minLength: number };
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number };
  authRateLimit: { max: number; windowSeconds: number };
  /** Failed authentications of every kind (Basic, app token, bearer, login) per client IP. */
  authFailureLimit: { max: number; windowSeconds: number };
  /** Lifetime of a verified Basic credential in the in-process cache; 0 turns the cache off. */
  basicCacheSeconds: number;
  /** `reflect` echoes any origin, `[]` allows none, else the listed origins. */
  cors: { origins: 'reflect' | string[]; credentials: boolean };
  apiDocs: boolean;
  pagination: { defaultLimit: number; maxLimit: number };
  bodyLimitBytes: number;
  importBodyLimitBytes: number;
  /** Deepest nesting of arrays/objects accepted in a JSON body (400 above, before validation). */
  jsonMaxDepth: number;
  /** PostgreSQL pool timeouts: a database that is down or too slow answers 503 within them. */
  db: { connectTimeoutMs: number; statementTimeoutMs: number };
  properties: { maxCount: number; maxValueBytes: number };
  trialRegistration: boolean;
  emailCheck: { enabled: boolean; max: number; windowSeconds: number };
  publicBaseUrl?: string;
  metrics: { token?: string; port?: number };
  audit: { retentionDays?: number; signingKey?: string };
  webhooks: { allowPrivate: boolean; worker: boolean; pollMs: number; timeoutMs: number; maxAttempts: number; backoffBaseMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

interface VarSpec {
  name: string;
  default: string;
  description: string;
}

/** The single list of variables: the README table is generated from it (`npm run config:table`). */
export const CONFIG_VARIABLES: VarSpec[] = [
  { name: 'PORT', default: '3000', description: 'HTTP port' },
  { name: 'HOST', default: '0.0.0.0', description: 'Interface to listen on' },
  { name: 'NODE_ENV', default: 'development', description: '`development`, `production` or `test`' },
  { name: 'LOG_LEVEL', default: 'info', description: '`fatal`, `error`, `warn`, `info`, `debug` or `silent`' },
  { name: 'CAREGATE_DATA_DIR', default: './data', description: 'SQLite file and generated signing keys' },
  {
    name: 'DATABASE_URL',
    default: '(unset: SQLite in the data dir)',
    description: '`postgres://user:pass@host:5432/db` selects PostgreSQL',
  },
  { name: 'CAREGATE_RUN_MIGRATIONS', default: 'true', description: 'Run pending migrations at boot' },
  { name: 'REDIS_URL', default: '(unset)', description: 'Redis for cross-instance session revocation and rate limits' },
  { name: 'CAREGATE_REDIS_PREFIX', default: 'caregate:', description: 'Prefix of Redis keys and pub/sub channels' },
  {
    name: 'SMTP_URL',
    default: '(unset: email delivery fails with 503)',
    description: 'nodemailer SMTP URL, e.g. `smtp://user:pass@mail:587`',
  },
  { name: 'MAIL_FROM', default: 'Caregate <no-reply@caregate.local>', description: 'Sender of emails' },
  {
    name: 'SMS_PROVIDER',
    default: 'log (unset in production)',
    description: '`log` (development only, refused in production) or `http`; unset in production: SMS fails with 503',
  },
  { name: 'SMS_HTTP_URL', default: '(unset)', description: 'Gateway URL for `SMS_PROVIDER=http`' },
  { name: 'CAREGATE_REGISTRATION_GROUP', default: '(unset: registration off)', description: 'Group that self-registrations join' },
  { name: 'CAREGATE_ADMIN_LOGIN', default: 'admin', description: 'Bootstrap administrator login (first start only)' },
  {
    name: 'CAREGATE_ADMIN_PASSWORD',
    default: '(random, printed once)',
    description: 'Bootstrap administrator password (first start only)',
  },
  { name: 'CAREGATE_JWT_ISSUER', default: 'caregate', description: '`iss` of issued tokens' },
  { name: 'CAREGATE_JWT_AUDIENCE', default: 'caregate', description: '`aud` of issued tokens' },
  { name: 'CAREGATE_ACCESS_TOKEN_TTL', default: '600', description: 'Access token lifetime, seconds (60..3600)' },
  { name: 'CAREGATE_REFRESH_TOKEN_TTL', default: '604800', description: 'Refresh token / session lifetime, seconds' },
  {
    name: 'CAREGATE_JWT_PRIVATE_KEY',
    default: '(unset)',
    description: 'PEM signing key (EC P-256/P-384 or RSA ≥ 2048 bits, others refused at boot); literal `\\n` allowed',
  },
  {
    name: 'CAREGATE_JWT_PRIVATE_KEY_FILE',
    default: '(unset: generated once into the data dir)',
    description: 'Path to the PEM signing key (re-read on SIGHUP and `POST /rest/v2/keys/reload`)',
  },
  { name: 'CAREGATE_JWT_KEY_ID', default: '(key thumbprint)', description: '`kid` of the signing key' },
  {
    name: 'CAREGATE_JWT_PUBLIC_KEYS_FILE',
    default: '(unset: `jwt-public-keys.json` in the data dir, if present)',
    description: 'JSON file `{ "kid": "PEM" }` of extra verification keys (rotation; re-read with the signing key)',
  },
  { name: 'CAREGATE_ARGON2_MEMORY_KIB', default: '19456', description: 'argon2id memory cost' },
  { name: 'CAREGATE_ARGON2_TIME_COST', default: '2', description: 'argon2id iterations' },
  { name: 'CAREGATE_ARGON2_PARALLELISM', default: '1', description: 'argon2id lanes' },
  {
    name: 'UV_THREADPOOL_SIZE',
    default: '(number of CPUs)',
    description:
      'Threads of the libuv pool, which run argon2 hashing (and file system and DNS work); at most twice as many hashes are in flight',
  },
  { name: 'CAREGATE_PASSWORD_MIN_LENGTH', default: '12', description: 'Minimum password length (8..64)' },
  { name: 'CAREGATE_LOCKOUT_THRESHOLD', default: '5', description: 'Consecutive failures before an account locks' },
  { name: 'CAREGATE_LOCKOUT_BASE_SECONDS', default: '30', description: 'First lock duration; doubles with each further failure' },
  { name: 'CAREGATE_LOCKOUT_MAX_SECONDS', default: '900', description: 'Longest lock' },
  { name: 'CAREGATE_AUTH_RATE_LIMIT', default: '60', description: 'Requests per IP per window on each auth route (429 above)' },
  { name: 'CAREGATE_AUTH_RATE_WINDOW', default: '60', description: 'Window of the per-IP auth limit, seconds' },
  {
    name: 'CAREGATE_AUTH_FAILURE_LIMIT',
    default: '30',
    description: 'Failed authentications (Basic, app token, bearer, login) per IP per window (429 above)',
  },
  { name: 'CAREGATE_AUTH_FAILURE_WINDOW', default: '300', description: 'Window of the per-IP failure limit, seconds' },
  {
    name: 'CAREGATE_BASIC_CACHE_SECONDS',
    default: '60',
    description: 'How long a verified Basic credential is served from memory (0: off)',
  },
  {
    name: 'CAREGATE_CORS_ORIGINS',
    default: '(development: reflect; production: none)',
    description: 'Comma-separated allowed origins, `*` (any, reflected) or `none`',
  },
  { name: 'CAREGATE_CORS_CREDENTIALS', default: 'false', description: 'Send `Access-Control-Allow-Credentials: true`' },
  { name: 'CAREGATE_API_DOCS', default: 'true', description: 'Serve Swagger UI at `/api` and the document at `/api-json`' },
  { name: 'CAREGATE_PAGE_LIMIT_DEFAULT', default: '1000', description: 'Default page size of native lists' },
  { name: 'CAREGATE_PAGE_LIMIT_MAX', default: '1000', description: 'Largest page size accepted' },
  { name: 'CAREGATE_BODY_LIMIT', default: '102400', description: 'Request body limit in bytes (413 above)' },
  {
    name: 'CAREGATE_IMPORT_BODY_LIMIT',
    default: '16777216',
    description: 'Body limit in bytes of `POST /rest/v2/user/inGroup/{groupId}/import` (up to 10,000 users)',
  },
  { name: 'CAREGATE_JSON_MAX_DEPTH', default: '64', description: 'Deepest nesting of a JSON body (400 above)' },
  {
    name: 'CAREGATE_DB_CONNECT_TIMEOUT_MS',
    default: '2000',
    description: 'PostgreSQL: longest wait for a pool connection (503 with Retry-After beyond)',
  },
  {
    name: 'CAREGATE_DB_STATEMENT_TIMEOUT_MS',
    default: '3000',
    description: 'PostgreSQL: `statement_timeout` of every request statement (503 beyond; migrations run without it)',
  },
  { name: 'CAREGATE_PROPERTIES_MAX', default: '100', description: 'Properties per user or group' },
  { name: 'CAREGATE_PROPERTY_VALUE_MAX_BYTES', default: '16384', description: 'Size of one property value' },
  { name: 'CAREGATE_TRIAL_REGISTRATION', default: 'false', description: 'Enable `POST /rest/v2/group/register/trial`' },
  { name: 'CAREGATE_EMAIL_CHECK', default: 'true', description: 'Enable `POST /v1/users/email_has_account`' },
  { name: 'CAREGATE_EMAIL_CHECK_RATE_LIMIT', default: '10', description: 'email_has_account calls per IP per window' },
  { name: 'CAREGATE_EMAIL_CHECK_RATE_WINDOW', default: '60', description: 'Window of the email check limit, seconds' },
  {
    name: 'CAREGATE_METRICS_TOKEN',
    default: '(unset: /metrics off on the API port)',
    description: 'Bearer token that `GET /metrics` (Prometheus) requires; at least 16 characters',
  },
  {
    name: 'CAREGATE_METRICS_PORT',
    default: '(unset)',
    description: 'Serve `/metrics` on this separate port instead (on `HOST`; the token is still required if set)',
  },
  { name: 'CAREGATE_PUBLIC_BASE_URL', default: '(unset: from the request)', description: 'Base URL used in links (pagination, emails)' },
  {
    name: 'CAREGATE_AUDIT_RETENTION_DAYS',
    default: '(unset: keep forever)',
    description: 'Audit rows older than this are pruned in batches behind a signed checkpoint',
  },
  {
    name: 'CAREGATE_AUDIT_SIGNING_KEY',
    default: '(unset: generated once into the data dir)',
    description: 'Secret (16+ characters) that signs audit checkpoints; the same on every instance',
  },
  {
    name: 'CAREGATE_WEBHOOK_ALLOW_PRIVATE',
    default: 'false',
    description: 'Allow webhook URLs on loopback, link-local and private addresses',
  },
  { name: 'CAREGATE_WEBHOOK_WORKER', default: 'true', description: 'Run the webhook delivery worker in this instance' },
  { name: 'CAREGATE_WEBHOOK_POLL_MS', default: '1000', description: 'Delivery worker poll interval, milliseconds' },
  { name: 'CAREGATE_WEBHOOK_TIMEOUT_MS', default: '10000', description: 'Timeout of one delivery attempt, milliseconds' },
  { name: 'CAREGATE_WEBHOOK_MAX_ATTEMPTS', default: '8', description: 'Attempts before a delivery is marked dead' },
  { name: 'CAREGATE_WEBHOOK_BACKOFF_MS', default: '5000', description: 'First retry delay; doubles with each attempt (capped at 6 h)' },
];

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  str(name: string, def: string): string {
    return this.raw(name) ?? def;
  }

  int(name: string, def: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${name}="${v}": expected an integer from ${min} to ${max}`);
      return def;
    }
    return Number(v);
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return def;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name}="${v}": expected true or false`);
    return def;
  }

  oneOf<T extends string>(name: string, def: T, allowed: readonly T[]): T {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${name}="${v}": expected one of ${allowed.join(', ')}`);
      return def;
    }
    return v as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error();
      return v;
    } catch {
      this.problems.push(`${name}: expected a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`);
      return undefined;
    }
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const nodeEnv = r.oneOf('NODE_ENV', 'development', ['development', 'production', 'test'] as const);
  const dataDir = path.resolve(r.str('CAREGATE_DATA_DIR', './data'));
  const smsExplicit = r.raw('SMS_PROVIDER') !== undefined;
  const smsChosen = r.oneOf('SMS_PROVIDER', 'log', ['log', 'http'] as const);
  const smsProvider = smsExplicit || nodeEnv !== 'production' ? smsChosen : undefined;
  const smsHttpUrl = r.url('SMS_HTTP_URL', ['http:', 'https:']);
  if (smsExplicit && smsProvider === 'log' && nodeEnv === 'production') {
    r.problems.push('SMS_PROVIDER=log is for development only: set SMS_PROVIDER=http and SMS_HTTP_URL in production');
  }
  if (smsProvider === 'http' && !smsHttpUrl) r.problems.push('SMS_HTTP_URL: required when SMS_PROVIDER=http');
  const adminPassword = r.raw('CAREGATE_ADMIN_PASSWORD');
  const minLength = r.int('CAREGATE_PASSWORD_MIN_LENGTH', 12, 8, 64);
  if (adminPassword !== undefined && adminPassword.length < minLength) {
    r.problems.push(`CAREGATE_ADMIN_PASSWORD: expected at least ${minLength} characters`);
  }
  const maxLimit = r.int('CAREGATE_PAGE_LIMIT_MAX', 1000, 1, 100000);
  const registrationGroup = r.raw('CAREGATE_REGISTRATION_GROUP');
  if (registrationGroup !== undefined && !/^[a-zA-Z0-9_-]{1,64}$/.test(registrationGroup)) {
    r.problems.push('CAREGATE_REGISTRATION_GROUP: expected a group id ([a-zA-Z0-9_-], 1..64 characters)');
  }
  const config: AppConfig = {
    nodeEnv,
    port: r.int('PORT', 3000, 0, 65535),
    host: r.str('HOST', '0.0.0.0'),
    logLevel: r.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const),
    dataDir,
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    sqliteFile: path.join(dataDir, 'caregate.sqlite'),
    runMigrations: r.bool('CAREGATE_RUN_MIGRATIONS', true),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: r.str('CAREGATE_REDIS_PREFIX', 'caregate:'),
    smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: r.str('MAIL_FROM', 'Caregate <no-reply@caregate.local>'),
    smsProvider,
    smsHttpUrl,
    registrationGroup,
    admin: { login: r.str('CAREGATE_ADMIN_LOGIN', 'admin'), password: adminPassword },
    jwt: {
      issuer: r.str('CAREGATE_JWT_ISSUER', 'caregate'),
      audience: r.str('CAREGATE_JWT_AUDIENCE', 'caregate'),
      accessTtlSeconds: r.int('CAREGATE_ACCESS_TOKEN_TTL', 600, 60, 3600),
      refreshTtlSeconds: r.int('CAREGATE_REFRESH_TOKEN_TTL', 604800, 300, 31536000),
      privateKeyPem: r.raw('CAREGATE_JWT_PRIVATE_KEY')?.replace(/\\n/g, '\n'),
      privateKeyFile: r.raw('CAREGATE_JWT_PRIVATE_KEY_FILE'),
      keyId: r.raw('CAREGATE_JWT_KEY_ID'),
      publicKeysFile: r.raw('CAREGATE_JWT_PUBLIC_KEYS_FILE'),
    },
    argon2: {
      memoryKiB: r.int('CAREGATE_ARGON2_MEMORY_KIB', 19456, 1024, 4194304),
      timeCost: r.int('CAREGATE_ARGON2_TIME_COST', 2, 1, 20),
      parallelism: r.int('CAREGATE_ARGON2_PARALLELISM', 1, 1, 16),
    },
    // libuv's own default when the entry point did not run (tests build the app in process).
    threadPoolSize: r.int('UV_THREADPOOL_SIZE', 4, 1, 1024),
    password: { minLength },
    lockout: {
      threshold: r.int('CAREGATE_LOCKOUT_THRESHOLD', 5, 1, 1000),
      baseSeconds: r.int('CAREGATE_LOCKOUT_BASE_SECONDS', 30, 1, 86400),
      maxSeconds: r.int('CAREGATE_LOCKOUT_MAX_SECONDS', 900, 1, 604800),
    },
    authRateLimit: {
      max: r.int('CAREGATE_AUTH_RATE_LIMIT', 60, 1, 1000000),
      windowSeconds: r.int('CAREGATE_AUTH_RATE_WINDOW', 60, 1, 86400),
    },
    authFailureLimit: {
      max: r.int('CAREGATE_AUTH_FAILURE_LIMIT', 30, 1, 1000000),
      windowSeconds: r.int('CAREGATE_AUTH_FAILURE_WINDOW', 300, 1, 86400),
    },
    basicCacheSeconds: r.int('CAREGATE_BASIC_CACHE_SECONDS', 60, 0, 3600),
    cors: { origins: corsOrigins(r, nodeEnv), credentials: r.bool('CAREGATE_CORS_CREDENTIALS', false) },
    apiDocs: r.bool('CAREGATE_API_DOCS', true),
    pagination: { defaultLimit: Math.min(r.int('CAREGATE_PAGE_LIMIT_DEFAULT', 1000, 1, 100000), maxLimit), maxLimit },
    bodyLimitBytes: r.int('CAREGATE_BODY_LIMIT', 102400, 1024, 10485760),
    importBodyLimitBytes: r.int('CAREGATE_IMPORT_BODY_LIMIT', 16777216, 1024, 268435456),
    jsonMaxDepth: r.int('CAREGATE_JSON_MAX_DEPTH', 64, 2, 1000),
    db: {
      connectTimeoutMs: r.int('CAREGATE_DB_CONNECT_TIMEOUT_MS', 2000, 100, 600000),
      statementTimeoutMs: r.int('CAREGATE_DB_STATEMENT_TIMEOUT_MS', 3000, 100, 86400000),
    },
    properties: {
      maxCount: r.int('CAREGATE_PROPERTIES_MAX', 100, 1, 10000),
      maxValueBytes: r.int('CAREGATE_PROPERTY_VALUE_MAX_BYTES', 16384, 16, 1048576),
    },
    trialRegistration: r.bool('CAREGATE_TRIAL_REGISTRATION', false),
    emailCheck: {
      enabled: r.bool('CAREGATE_EMAIL_CHECK', true),
      max: r.int('CAREGATE_EMAIL_CHECK_RATE_LIMIT', 10, 1, 1000000),
      windowSeconds: r.int('CAREGATE_EMAIL_CHECK_RATE_WINDOW', 60, 1, 86400),
    },
    publicBaseUrl: r.url('CAREGATE_PUBLIC_BASE_URL', ['http:', 'https:']),
    metrics: {
      token: r.raw('CAREGATE_METRICS_TOKEN'),
      port: r.raw('CAREGATE_METRICS_PORT') === undefined ? undefined : r.int('CAREGATE_METRICS_PORT', 0, 0, 65535),
    },
    audit: {
      retentionDays: r.raw('CAREGATE_AUDIT_RETENTION_DAYS') === undefined ? undefined : r.int('CAREGATE_AUDIT_RETENTION_DAYS', 0, 1, 36500),
      signingKey: r.raw('CAREGATE_AUDIT_SIGNING_KEY'),
    },
    webhooks: {
      allowPrivate: r.bool('CAREGATE_WEBHOOK_ALLOW_PRIVATE', false),
      worker: r.bool('CAREGATE_WEBHOOK_WORKER', true),
      pollMs: r.int('CAREGATE_WEBHOOK_POLL_MS', 1000, 50, 3600000),
      timeoutMs: r.int('CAREGATE_WEBHOOK_TIMEOUT_MS', 10000, 100, 120000),
      maxAttempts: r.int('CAREGATE_WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
      backoffBaseMs: r.int('CAREGATE_WEBHOOK_BACKOFF_MS', 5000, 1, 3600000),
    },
  };
  if (config.metrics.token !== undefined && config.metrics.token.length < 16) {
    r.problems.push('CAREGATE_METRICS_TOKEN: expected at least 16 characters');
  }
  if (config.audit.signingKey !== undefined && config.audit.signingKey.length < 16) {
    r.problems.push('CAREGATE_AUDIT_SIGNING_KEY: expected at least 16 characters');
  }
  if (config.lockout.maxSeconds < config.lockout.baseSeconds) {
    r.problems.push('CAREGATE_LOCKOUT_MAX_SECONDS: expected a value not below CAREGATE_LOCKOUT_BASE_SECONDS');
  }
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}

function corsOrigins(r: Reader, nodeEnv: AppConfig['nodeEnv']): 'reflect' | string[] {
  const v = r.raw('CAREGATE_CORS_ORIGINS');
  if (v === undefined) return nodeEnv === 'production' ? [] : 'reflect';
  if (v === '*') return 'reflect';
  if (v.toLowerCase() === 'none') return [];
  const origins = v
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    let ok: boolean;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) r.problems.push(`CAREGATE_CORS_ORIGINS: "${o}" is not an origin (scheme://host[:port], no path)`);
  }
  return origins;
}

/** Injection token for the configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
