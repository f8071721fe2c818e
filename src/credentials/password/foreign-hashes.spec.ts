import { expect } from '@jest/globals';
import * as argon2 from 'argon2';
import { hashFormatOf, normaliseImportedHash, verifyForeignHash } from './foreign-hashes';

// Vectors made outside this code: Python's hashlib (Django, Keycloak, SHA-256) and PHP's documentation (bcrypt $2y$).
const DJANGO = 'pbkdf2_sha256$1000$seasalt42$XPaecmkzWf3qPB25Id+BHEcxTNEHi5C3HmcsaNyB2ms=';
const KEYCLOAK = {
  algorithm: 'pbkdf2-sha256',
  hashIterations: 2700,
  salt: 'MDEyMzQ1Njc4OWFiY2RlZg==',
  value: '7ruaJD4yY/Q4vT2WYtAtdN+b//etCe2bra//vHcfh8pLWK8SHqHJdJ5SAfOtt+uegWWho25D2kXyNt+c74Cbcw==',
};
const PHP_BCRYPT = '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a';
const SHA256 = '6eef370f856bdaffbcf0f588bc270d2df1e3ba503ffe9d51084cfae5949a11b0';

const stored = (input: Parameters<typeof normaliseImportedHash>[0]) => {
  const r = normaliseImportedHash(input);
  if ('reason' in r) throw new Error(r.reason);
  return r.hash;
};

describe('foreign password hashes', () => {
  it('Django PBKDF2-SHA256 verifies as given and in its stored form', async () => {
    expect(await verifyForeignHash(DJANGO, 'correct horse battery')).toBe(true);
    expect(await verifyForeignHash(stored(DJANGO), 'correct horse battery')).toBe(true);
    expect(await verifyForeignHash(stored(DJANGO), 'correct horse batter')).toBe(false);
  });

  it('Keycloak credentials (flat, nested secretData/credentialData, or as a JSON string) verify', async () => {
    const nested = {
      secretData: JSON.stringify({ value: KEYCLOAK.value, salt: KEYCLOAK.salt }),
      credentialData: JSON.stringify({ hashIterations: KEYCLOAK.hashIterations, algorithm: KEYCLOAK.algorithm }),
    };
    for (const input of [KEYCLOAK, nested, JSON.stringify(KEYCLOAK)]) {
      const h = stored(input);
      expect(hashFormatOf(h)).toBe('pbkdf2-sha256');
      expect(await verifyForeignHash(h, 'keycloak password 1')).toBe(true);
      expect(await verifyForeignHash(h, 'keycloak password 2')).toBe(false);
    }
    expect(normaliseImportedHash({ ...KEYCLOAK, algorithm: 'pbkdf2-sha512' })).toEqual({ reason: expect.stringMatching(/unsupported/) });
  });

  it('bcrypt $2y$ (PHP) and $2a$/$2b$ verify', async () => {
    expect(hashFormatOf(stored(PHP_BCRYPT))).toBe('bcrypt');
    expect(await verifyForeignHash(PHP_BCRYPT, 'rasmuslerdorf')).toBe(true);
    expect(await verifyForeignHash(PHP_BCRYPT.replace('$2y$', '$2a$'), 'rasmuslerdorf')).toBe(true);
    expect(await verifyForeignHash(PHP_BCRYPT.replace('$2y$', '$2b$'), 'rasmuslerdorg')).toBe(false);
  });

  it('legacy SHA-256 hex and argon2i are recognised', async () => {
    expect(await verifyForeignHash(stored(SHA256), 'legacy password!')).toBe(true);
    expect(await verifyForeignHash(SHA256, 'legacy password?')).toBe(false);
    const a2i = await argon2.hash('argon two i', { type: argon2.argon2i, memoryCost: 1024, timeCost: 1 });
    expect(normaliseImportedHash(a2i)).toEqual({ hash: a2i, format: 'argon2' });
  });

  it('refuses unknown formats and hostile parameters', () => {
    expect(normaliseImportedHash('md5$abc')).toEqual({ reason: 'unrecognised hash format' });
    expect(normaliseImportedHash('pbkdf2_sha256$99999999$salt$XPaecmkzWf3qPB25Id+BHEcxTNEHi5C3HmcsaNyB2ms=')).toHaveProperty('reason');
    expect(normaliseImportedHash(PHP_BCRYPT.replace('$10$', '$20$'))).toHaveProperty('reason');
  });
});
