import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bearer, loginAsRootAdmin } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

/** Signing keys from configuration (EC or RSA) and extra verification keys for a rotation. */
describe('JWT keys from configuration and rotation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-keys-'));
  const pem = (type: 'ec' | 'rsa') =>
    (type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 })
    ).privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  let oldApp: TestApp;
  let newApp: TestApp;

  afterAll(async () => {
    await newApp?.close();
    await oldApp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tokens signed by the old key stay valid on an instance that signs with a new RSA key and lists the old one', async () => {
    const oldPem = pem('ec');
    oldApp = await startApp({ env: { CAREGATE_JWT_PRIVATE_KEY: oldPem.replace(/\n/g, '\\n'), CAREGATE_JWT_KEY_ID: 'old' } });
    const { token } = await loginAsRootAdmin(oldApp);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'ES256', kid: 'old' });

    const newFile = path.join(dir, 'new.pem');
    fs.writeFileSync(newFile, pem('rsa'));
    const publicKeys = path.join(dir, 'public-keys.json');
    const { createPublicKey } = await import('node:crypto');
    fs.writeFileSync(publicKeys, JSON.stringify({ old: createPublicKey(oldPem).export({ type: 'spki', format: 'pem' }) }));
    newApp = await startApp({
      env: { CAREGATE_JWT_PRIVATE_KEY_FILE: newFile, CAREGATE_JWT_KEY_ID: 'new', CAREGATE_JWT_PUBLIC_KEYS_FILE: publicKeys },
      shareDatabaseWith: oldApp,
    });
    await newApp.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    const fresh = await loginAsRootAdmin(newApp);
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'RS256', kid: 'new' });
    await newApp.http().get('/rest/v2/user/current').set(bearer(fresh.token)).expect(200);
    // The old instance does not know the new key: 401, not 500.
    await oldApp.http().get('/rest/v2/user/current').set(bearer(fresh.token)).expect(401);
  });
});
