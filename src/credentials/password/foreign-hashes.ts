import * as bcrypt from 'bcryptjs';
import { createHash, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Password hashes made elsewhere (iCure, Django, Keycloak, bcrypt-based apps), verified in their own
 * format so that an imported user base logs in with its existing passwords; the password hasher
 * rehashes them to argon2id at the first successful login. Only the import path and
 * administrators store them.
 */
export type HashFormat = 'argon2' | 'bcrypt' | 'pbkdf2-sha256' | 'sha256';

/** iCure's legacy stored form: SHA-256 hex, optionally prefixed by a Spring `{salt}`. */
export const LEGACY_SHA256_FORMAT = /^(\{.+?\})?[0-9a-zA-Z]{64}$/;
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i)\$v=\d+\$[a-z]=\d+(,[a-z]=\d+)*\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
/** Our stored PBKDF2 form (PHC-like): `$pbkdf2-sha256$i=<iterations>$<salt base64>$<hash base64>`. */
const PBKDF2 = /^\$pbkdf2-sha256\$i=(\d{1,8})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
/** Django: `pbkdf2_sha256$<iterations>$<salt>$<hash base64>` (the salt is text, used as UTF-8 bytes). */
const DJANGO = /^pbkdf2_sha256\$(\d{1,8})\$([^$]{1,128})\$([A-Za-z0-9+/]+={0,2})$/;

/** Bounds that keep a hostile import from turning logins into a denial of service. */
const MAX_PBKDF2_ITERATIONS = 5_000_000;
const MAX_BCRYPT_COST = 16;

/** A Keycloak credential (realm export): flat, or with JSON-encoded `secretData`/`credentialData`. */
export interface KeycloakCredential {
  algorithm?: string;
  hashIterations?: number;
  salt?: string;
  value?: string;
  hashedSaltedValue?: string;
  secretData?: string;
  credentialData?: string;
}

export function hashFormatOf(stored: string): HashFormat | undefined {
  if (ARGON2.test(stored)) return 'argon2';
  if (BCRYPT.test(stored)) return 'bcrypt';
  if (PBKDF2.test(stored) || DJANGO.test(stored)) return 'pbkdf2-sha256';
  if (LEGACY_SHA256_FORMAT.test(stored)) return 'sha256';
  return undefined;
}

/**
 * The stored form of an imported hash, or a reason it is refused. Django and Keycloak PBKDF2 both
 * become our one PBKDF2 form; argon2, bcrypt and SHA-256 are kept as given.
 */
export function normaliseImportedHash(input: string | KeycloakCredential): { hash: string; format: HashFormat } | { reason: string } {
  if (typeof input !== 'string') return fromKeycloak(input);
  const s = input.trim();
  const django = DJANGO.exec(s);
  if (django) {
    const [, iter, salt, value] = django;
    return pbkdf2Form(Number(iter), Buffer.from(salt, 'utf8'), Buffer.from(value, 'base64'));
  }
  const phc = PBKDF2.exec(s);
  if (phc) return pbkdf2Form(Number(phc[1]), Buffer.from(phc[2], 'base64'), Buffer.from(phc[3], 'base64'));
  const b = BCRYPT.exec(s);
  if (b) return Number(b[1]) > MAX_BCRYPT_COST ? { reason: `bcrypt cost above ${MAX_BCRYPT_COST}` } : { hash: s, format: 'bcrypt' };
  if (s.startsWith('{') && s.endsWith('}') && s.includes('"')) {
    try {
      return fromKeycloak(JSON.parse(s) as KeycloakCredential);
    } catch {
      return { reason: 'unrecognised hash format' };
    }
  }
  const format = hashFormatOf(s);
  return format ? { hash: s, format } : { reason: 'unrecognised hash format' };
}

function fromKeycloak(c: KeycloakCredential): { hash: string; format: HashFormat } | { reason: string } {
  if (!c || typeof c !== 'object') return { reason: 'unrecognised hash format' };
  let secret: { value?: string; salt?: string } = {};
  let data: { hashIterations?: number; algorithm?: string } = {};
  try {
    secret = c.secretData ? (JSON.parse(c.secretData) as typeof secret) : { value: c.value ?? c.hashedSaltedValue, salt: c.salt };
    data = c.credentialData ? (JSON.parse(c.credentialData) as typeof data) : { hashIterations: c.hashIterations, algorithm: c.algorithm };
  } catch {
    return { reason: 'Keycloak credential: secretData/credentialData are not JSON' };
  }
  if (data.algorithm !== 'pbkdf2-sha256') return { reason: `Keycloak credential: unsupported algorithm ${String(data.algorithm)}` };
  if (!Number.isInteger(data.hashIterations) || typeof secret.value !== 'string' || typeof secret.salt !== 'string')
    return { reason: 'Keycloak credential: expected hashIterations, salt and value' };
  return pbkdf2Form(data.hashIterations!, Buffer.from(secret.salt, 'base64'), Buffer.from(secret.value, 'base64'));
}

function pbkdf2Form(iterations: number, salt: Buffer, value: Buffer): { hash: string; format: HashFormat } | { reason: string } {
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) return { reason: `PBKDF2 iterations outside 1..${MAX_PBKDF2_ITERATIONS}` };
  if (salt.length < 1 || value.length < 16 || value.length > 64) return { reason: 'PBKDF2 salt or hash has an unexpected length' };
  return { hash: `$pbkdf2-sha256$i=${iterations}$${salt.toString('base64')}$${value.toString('base64')}`, format: 'pbkdf2-sha256' };
}

/** Verifies a non-argon2 stored hash; false for anything unrecognised. */
export async function verifyForeignHash(stored: string, password: string): Promise<boolean> {
  if (BCRYPT.test(stored)) {
    // bcrypt reads the first 72 bytes only, as the system that made the hash did; the argon2id rehash takes it whole.
    return bcrypt.compare(password, stored).catch(() => false);
  }
  const phc = PBKDF2.exec(stored);
  const django = phc ? null : DJANGO.exec(stored);
  if (phc || django) {
    const [iter, salt, value] = phc
      ? [Number(phc[1]), Buffer.from(phc[2], 'base64'), Buffer.from(phc[3], 'base64')]
      : [Number(django![1]), Buffer.from(django![2], 'utf8'), Buffer.from(django![3], 'base64')];
    if (iter < 1 || iter > MAX_PBKDF2_ITERATIONS || value.length === 0) return false;
    const actual = await pbkdf2Async(password, salt, iter, value.length, 'sha256');
    return timingSafeEqual(actual, value);
  }
  const m = LEGACY_SHA256_FORMAT.exec(stored);
  if (!m) return false;
  const salt = m[1] ?? '';
  const expected = Buffer.from(stored.slice(salt.length).toLowerCase());
  const actual = Buffer.from(
    createHash('sha256')
      .update(password + salt, 'utf8')
      .digest('hex'),
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
