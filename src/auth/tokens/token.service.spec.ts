import { generateKeyPairSync } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../common/clock';
import { loadConfig } from '../../config/config';
import { KeyStore } from './key-store';
import { TokenService } from './token.service';

const pems = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
  ES384: () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey,
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
};

describe('TokenService signing (JWS compact, node:crypto) against jsonwebtoken verification', () => {
  it.each(Object.keys(pems) as (keyof typeof pems)[])('%s: the header and claims jsonwebtoken expects, a signature it accepts', (alg) => {
    const pem = pems[alg]().export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = loadConfig({
      NODE_ENV: 'test',
      CAREGATE_DATA_DIR: path.join(os.tmpdir(), 'caregate-token-spec-unused'),
      CAREGATE_JWT_PRIVATE_KEY: pem,
    });
    const keys = new KeyStore(config);
    const clock = new FakeClock(Date.now());
    const tokens = new TokenService(config, keys, clock);
    const access = tokens.signAccess({
      userId: 'u1',
      groupId: 'g1',
      ancestorGroupIds: ['root'],
      roles: ['ADMINISTRATOR'],
      sessionId: 's1',
      login: 'é-login',
    });
    const pub = keys.verificationKey(keys.signing.kid)!.key;
    const decoded = jwt.verify(access, pub, {
      algorithms: [alg],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      complete: true,
    });
    expect(decoded.header).toEqual({ alg, typ: 'JWT', kid: keys.signing.kid });
    expect(decoded.payload).toMatchObject({
      sub: 'u1',
      grp: 'g1',
      anc: ['root'],
      roles: ['ADMINISTRATOR'],
      sid: 's1',
      login: 'é-login',
      typ: 'access',
    });
    // A signature made with another key of the same kind is refused.
    expect(() => jwt.verify(access, pems[alg](), { algorithms: [alg] })).toThrow();

    const refresh = tokens.signRefresh({ userId: 'u1', groupId: 'g1', sessionId: 's1', expiresAt: clock.now() + 3600_000 });
    expect(tokens.verifyRefresh(refresh)).toMatchObject({ sub: 'u1', grp: 'g1', sid: 's1', typ: 'refresh' });
    // The second call is answered from the verified tokens and still judges time by the clock.
    expect(tokens.verifyRefresh(refresh)).toMatchObject({ sid: 's1' });
    clock.advance(7200_000);
    expect(() => tokens.verifyRefresh(refresh)).toThrow('Invalid or expired refresh token');
  });
});
