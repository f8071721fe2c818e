import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { body } from '../../support/body';
import { bearer, createAdmin, createGroup, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

const run = promisify(execFile);

type Jwks = { keys: (Record<string, unknown> & { alg: string })[] };
type Reloaded = { kids: string[]; signingKid: string };

/** Another backend's view: jose's createRemoteJWKSet against the running service (child process, jose is ESM-only). */
async function verifyRemotely(t: TestApp, ...tokens: string[]): Promise<{ ok: boolean; kid?: string; code?: string }[]> {
  const script = path.join(__dirname, '..', '..', 'support', 'jwks-verify.mjs');
  const { stdout } = await run(process.execPath, [script, t.url, t.config.jwt.issuer, t.config.jwt.audience, ...tokens], {
    timeout: 20000,
  });
  return JSON.parse(stdout) as { ok: boolean; kid?: string; code?: string }[];
}

const ecPem = (curve = 'prime256v1') =>
  generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

describe('JWKS, discovery and key rotation without restart', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-jwks-'));
  const keyFile = path.join(dir, 'signing.pem');
  const publicKeys = path.join(dir, 'public-keys.json');
  let t: TestApp;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, ecPem());
    t = await startApp({ listen: true, env: { CAREGATE_JWT_PRIVATE_KEY_FILE: keyFile, CAREGATE_JWT_PUBLIC_KEYS_FILE: publicKeys } });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every verification key with kid, alg and use, with cache headers, and a discovery document', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toMatch(/public, max-age=\d+/);
    const { keys } = body<Jwks>(res);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0].d).toBeUndefined();
    expect(res.headers.etag).toBeDefined();
    await t.http().get('/.well-known/jwks.json').set('If-None-Match', res.headers.etag).expect(304);
    const disco = await t.http().get('/.well-known/openid-configuration').expect(200);
    expect(disco.body).toMatchObject({ issuer: 'caregate', jwks_uri: expect.stringMatching(/\/\.well-known\/jwks\.json$/) });
    expect(disco.headers['cache-control']).toMatch(/max-age=/);
  });

  it('a token verifies through createRemoteJWKSet before and after a rotation; a removed key stops verifying', async () => {
    const before = await loginAsRootAdmin(t);
    const firstEtag = (await t.http().get('/.well-known/jwks.json').expect(200)).headers.etag;
    const [v1] = await verifyRemotely(t, before.token);
    expect(v1).toMatchObject({ ok: true, kid: kidOf(before.token) });

    // Rotation: the old public key moves to the public keys file, a new key replaces the signing file.
    const oldPublic = createPublicKey(fs.readFileSync(keyFile, 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
    fs.writeFileSync(publicKeys, JSON.stringify({ [kidOf(before.token)]: oldPublic }));
    fs.writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const reloaded = await t.http().post('/rest/v2/keys/reload').set(bearer(before.token)).expect(200);
    expect(body<Reloaded>(reloaded).kids).toHaveLength(2);

    const after = await loginAsRootAdmin(t);
    expect(kidOf(after.token)).toBe(body<Reloaded>(reloaded).signingKid);
    expect(kidOf(after.token)).not.toBe(kidOf(before.token));
    const [oldOk, newOk] = await verifyRemotely(t, before.token, after.token);
    expect(oldOk).toMatchObject({ ok: true, kid: kidOf(before.token) });
    expect(newOk).toMatchObject({ ok: true, kid: kidOf(after.token) });
    await t.http().get('/rest/v2/user/current').set(bearer(after.token)).expect(200);
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(
      body<Jwks>(jwks)
        .keys.map((k) => k.alg)
        .sort(),
    ).toEqual(['ES256', 'RS256']);
    // The old ETag no longer matches: clients revalidating get the new set.
    expect(jwks.headers.etag).not.toBe(firstEtag);

    // Removing the old key: tokens it signed no longer verify anywhere.
    fs.writeFileSync(publicKeys, '{}');
    await t.http().post('/rest/v2/keys/reload').set(bearer(after.token)).expect(200);
    const [gone, still] = await verifyRemotely(t, before.token, after.token);
    expect(gone.ok).toBe(false);
    expect(still.ok).toBe(true);
    const refresh = await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', before.refreshToken);
    expect(refresh.status).toBe(401);
  });

  it('key files that do not load: 422 saying what is wrong (files named by their variables, no path), the current keys stay', async () => {
    const admin = await loginAsRootAdmin(t);
    const good = fs.readFileSync(keyFile, 'utf8');
    const refused = async (breakFiles: () => void, expected: RegExp) => {
      breakFiles();
      try {
        const res = await t.http().post('/rest/v2/keys/reload').set(bearer(admin.token)).expect(422);
        expect(body<{ code: string; message: string }>(res)).toMatchObject({
          code: 'UNPROCESSABLE',
          message: expect.stringMatching(expected),
        });
        expect(JSON.stringify(res.body)).not.toContain(dir);
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|\/tmp\//);
      } finally {
        fs.writeFileSync(keyFile, good);
        fs.rmSync(publicKeys, { force: true });
      }
      // Still signing and verifying with the keys from before.
      const [ok] = await verifyRemotely(t, admin.token);
      expect(ok.ok).toBe(true);
      await t
        .http()
        .get('/rest/v2/user/current')
        .set(bearer((await loginAsRootAdmin(t)).token))
        .expect(200);
    };
    await refused(
      () =>
        fs.writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' })),
      /current keys stay in use: CAREGATE_JWT_PRIVATE_KEY_FILE: .*2048/,
    );
    await refused(() => fs.rmSync(keyFile), /CAREGATE_JWT_PRIVATE_KEY_FILE: cannot read CAREGATE_JWT_PRIVATE_KEY_FILE \(ENOENT\)/);
    await refused(() => fs.writeFileSync(publicKeys, '["not an object"]'), /CAREGATE_JWT_PUBLIC_KEYS_FILE: expected a JSON object/);
    await refused(
      () => fs.writeFileSync(publicKeys, JSON.stringify({ old: 'not a key' })),
      /CAREGATE_JWT_PUBLIC_KEYS_FILE: key "old" is not a PEM public key/,
    );
  });

  it('reload: 401 without credentials, 403 for an administrator of another group, 403 for a member', async () => {
    await t.http().post('/rest/v2/keys/reload').expect(401);
    const g = await createGroup(t);
    const admin = await createAdmin(t, g);
    const tok = await loginAs(t, admin);
    await t.http().post('/rest/v2/keys/reload').set(bearer(tok.token)).expect(403);
  });
});

describe('signing key strength at boot', () => {
  it.each([
    [
      'RSA 1024',
      () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      /2048/,
    ],
    ['EC P-521', () => ecPem('secp521r1'), /P-256\/P-384/],
    ['Ed25519', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /unsupported/],
  ])('%s is refused with a clear configuration error', async (_name, make, msg) => {
    await expect(startApp({ env: { CAREGATE_JWT_PRIVATE_KEY: make().replace(/\n/g, '\\n') } })).rejects.toThrow(msg);
  });

  it('EC P-384 signs ES384 tokens that verify', async () => {
    const t = await startApp({ env: { CAREGATE_JWT_PRIVATE_KEY: ecPem('secp384r1').replace(/\n/g, '\\n') } });
    try {
      const { token } = await loginAsRootAdmin(t);
      expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'ES384' });
      await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('key reload with the keys in the data dir', () => {
  it('a bad jwt-public-keys.json in the data dir: 422 naming it without the data dir path; fixed, the reload succeeds', async () => {
    const t = await startApp();
    try {
      const admin = await loginAsRootAdmin(t);
      const file = path.join(t.config.dataDir, 'jwt-public-keys.json');
      fs.writeFileSync(file, 'not json');
      const res = await t.http().post('/rest/v2/keys/reload').set(bearer(admin.token)).expect(422);
      expect(body<{ message: string }>(res).message).toBe(
        'The key files were not loaded; the current keys stay in use: jwt-public-keys.json in CAREGATE_DATA_DIR: expected a JSON object { "kid": "PEM public key" }',
      );
      expect(JSON.stringify(res.body)).not.toContain(t.config.dataDir);
      fs.writeFileSync(file, '{}');
      await t.http().post('/rest/v2/keys/reload').set(bearer(admin.token)).expect(200);
      await t.http().get('/rest/v2/user/current').set(bearer(admin.token)).expect(200);
    } finally {
      await t.close();
    }
  });
});
