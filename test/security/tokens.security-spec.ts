import * as jwt from 'jsonwebtoken';
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { KeyStore } from '../../src/auth/tokens/key-store';
import { basic, bearer, createGroup, createUser, loginAs, Tokens, TestUser } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Forged, tampered and misused tokens, as an attacker holding a valid account would try them. */
describe('tokens', () => {
  let t: TestApp;
  let u: TestUser;
  let tokens: Tokens;
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    t = await startApp();
    const g = await createGroup(t);
    u = await createUser(t, g);
    tokens = await loginAs(t, u);
    claims = jwt.decode(tokens.token) as Record<string, unknown>;
  });
  afterAll(() => t.close());

  /** Signs with the service's own key: what a claim check must refuse even under a valid signature. */
  function signed(payload: object, header: Record<string, unknown> = {}): string {
    const s = t.get(KeyStore).signing;
    // jsonwebtoken adds an iat unless told not to; noTimestamp would also drop a given one.
    return jwt.sign(payload, s.key, {
      algorithm: s.alg,
      keyid: s.kid,
      noTimestamp: !('iat' in payload),
      header: { alg: s.alg, ...header },
    });
  }
  const current = (token: string) => t.http().get('/rest/v2/user/current').set(bearer(token));

  it('control: the genuine token and one re-signed with the same claims are accepted', async () => {
    await current(tokens.token).expect(200);
    await current(signed({ ...claims, jti: randomUUID() })).expect(200);
  });

  it('ASVS 9.1.2: alg=none is refused', async () => {
    const forged = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    await current(forged).expect(401);
  });

  it('ASVS 9.1.2: algorithm confusion (HS256 keyed with the public key) is refused', async () => {
    const pub = createPublicKey(t.get(KeyStore).signing.key);
    for (const secret of [pub.export({ type: 'spki', format: 'pem' }), pub.export({ type: 'spki', format: 'der' })]) {
      const forged = jwt.sign(claims, secret as string | Buffer, {
        algorithm: 'HS256',
        keyid: t.get(KeyStore).signing.kid,
        noTimestamp: true,
      });
      await current(forged).expect(401);
    }
  });

  it('ASVS 9.1.3: a token carrying its own key (jwk) or a key location (jku, x5u) is refused and nothing is fetched', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    for (const header of [{ jwk }, { jku: 'http://127.0.0.1:9/jwks.json' }, { x5u: 'http://127.0.0.1:9/cert.pem' }]) {
      const forged = jwt.sign(claims, attacker.privateKey, { algorithm: 'ES256', header: { alg: 'ES256', ...header } });
      await current(forged).expect(401);
    }
    // Even under the genuine signature, embedded key material is refused.
    await current(signed({ ...claims }, { jku: 'http://127.0.0.1:9/jwks.json' })).expect(401);
  });

  it('ASVS 9.1.3: kid injection (paths, SQL, unknown kid) verifies against nothing', async () => {
    const s = t.get(KeyStore).signing;
    for (const kid of ['../../../../dev/null', "' OR '1'='1", '', 'unknown-kid']) {
      const forged = jwt.sign(claims, s.key, { algorithm: s.alg, keyid: kid });
      await current(forged).expect(401);
    }
    await current(jwt.sign(claims, 'x', { algorithm: 'HS256', keyid: '../../../../dev/null' })).expect(401);
  });

  it('ASVS 9.2.1: exp, iat, nbf, jti, sid and typ are required; expired and not-yet-valid tokens are refused', async () => {
    for (const k of ['exp', 'iat', 'nbf', 'jti', 'sid', 'typ']) {
      const c = { ...claims };
      delete c[k];
      await current(signed(c)).expect(401);
    }
    const now = Math.floor(Date.now() / 1000);
    await current(signed({ ...claims, exp: now - 60 })).expect(401);
    await current(signed({ ...claims, nbf: now + 3600 })).expect(401);
    await current(signed({ ...claims, iat: now + 3600 })).expect(401);
  });

  it('ASVS 9.1.1: an unknown crit header is refused', async () => {
    await current(signed({ ...claims }, { crit: ['exp-ext'], 'exp-ext': true })).expect(401);
  });

  it('ASVS 9.2.3: wrong iss, aud or typ is refused', async () => {
    await current(signed({ ...claims, iss: 'someone-else' })).expect(401);
    await current(signed({ ...claims, aud: 'another-service' })).expect(401);
    await current(signed({ ...claims, typ: 'refresh' })).expect(401);
  });

  it('ASVS 9.2.2: token-type confusion: a refresh token is no access token, an access token no refresh token', async () => {
    await current(tokens.refreshToken).expect(401);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', tokens.token).expect(401);
    // A refresh token re-signed with the access audience but typ=refresh stays refused.
    const r = jwt.decode(tokens.refreshToken) as Record<string, unknown>;
    await current(signed({ ...r, aud: claims.aud })).expect(401);
  });

  it('ASVS 9.2.1: a tampered payload breaks the signature', async () => {
    const [h, , s] = tokens.token.split('.');
    await current(`${h}.${b64({ ...claims, roles: ['ADMINISTRATOR'] })}.${s}`).expect(401);
  });

  it('ASVS 7.4.1: a refresh token is refused after logout', async () => {
    const mine = await loginAs(t, u);
    await t.http().post('/rest/v2/auth/logout').set(bearer(mine.token)).expect(200);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', mine.refreshToken).expect(401);
    await current(mine.token).expect(401);
  });

  describe('app tokens', () => {
    it('ASVS 11.5.1: generated app tokens carry 256 bits from the CSPRNG (no UUID)', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const r = await t.http().post(`/rest/v2/user/token/${u.user.id}/k${i}`).set(bearer(tokens.token)).expect(200);
        expect(r.text).toMatch(/^[A-Za-z0-9_-]{43}$/);
        seen.add(r.text);
      }
      expect(seen.size).toBe(3);
    });

    it('ASVS 11.5.1: a client-chosen token needs 32 characters (the token header)', async () => {
      await t.http().post(`/rest/v2/user/token/${u.user.id}/short`).set(bearer(tokens.token)).set('token', 'x'.repeat(31)).expect(400);
      await t
        .http()
        .post(`/rest/v2/user/token/${u.user.id}/long`)
        .set(bearer(tokens.token))
        .set('token', 'y'.repeat(32))
        .expect(200, 'y'.repeat(32));
    });

    it('ASVS 8.2.1: the method/path token opens only its method and path, and never a session', async () => {
      const path = '/rest/v2/user/current';
      const r = await t
        .http()
        .get(`/rest/v2/auth/token/GET/${encodeURIComponent(path)}`)
        .set(bearer(tokens.token))
        .expect(200);
      const routeToken = r.text;
      // iCure clients expect a UUID-shaped value: 36 random hex digits (144 bits).
      expect(routeToken).toMatch(/^[0-9a-f]{36}$/);
      const cred = basic(`${u.groupId}/${u.login}`, routeToken);
      await t.http().get(path).set(cred).expect(200);
      await t.http().get(path).set(cred).expect(200);
      await t.http().put(`/rest/v2/user/${u.user.id}/properties`).set(cred).send([]).expect(401);
      await t.http().get(`/rest/v2/user/${u.user.id}`).set(cred).expect(401);
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${u.groupId}/${u.login}`, password: routeToken })
        .expect((res) => expect([401, 412]).toContain(res.status));
      await t
        .http()
        .post('/rest/v2/auth/check')
        .send({ username: `${u.groupId}/${u.login}`, password: routeToken })
        .expect((res) => expect([401, 412]).toContain(res.status));
      await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', routeToken).expect(401);
    });
  });
});
