import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_CONFIG, AppConfig } from '../../config/config';

export type JwtAlgorithm = 'ES256' | 'RS256';

export interface VerificationKey {
  kid: string;
  alg: JwtAlgorithm;
  key: KeyObject;
}

/**
 * Signing and verification keys, parsed once into KeyObjects (a PEM string passed to every
 * verify is re-parsed each time: about 10x slower). The signing key comes from configuration or
 * is generated once into the data dir; extra public keys allow rotation.
 */
@Injectable()
export class KeyStore {
  readonly signing: { kid: string; alg: JwtAlgorithm; key: KeyObject };
  private readonly verification = new Map<string, VerificationKey>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pem =
      config.jwt.privateKeyPem ??
      (config.jwt.privateKeyFile ? fs.readFileSync(config.jwt.privateKeyFile, 'utf8') : KeyStore.generatedKey(config.dataDir));
    const key = createPrivateKey(pem);
    const alg = KeyStore.algorithmOf(key);
    const pub = createPublicKey(key);
    const kid = config.jwt.keyId ?? KeyStore.thumbprint(pub);
    this.signing = { kid, alg, key };
    this.verification.set(kid, { kid, alg, key: pub });
    if (config.jwt.publicKeysFile) {
      const extra = JSON.parse(fs.readFileSync(config.jwt.publicKeysFile, 'utf8')) as Record<string, string>;
      for (const [k, p] of Object.entries(extra)) {
        const pk = createPublicKey(p);
        this.verification.set(k, { kid: k, alg: KeyStore.algorithmOf(pk), key: pk });
      }
    }
  }

  verificationKey(kid: string | undefined): VerificationKey | undefined {
    return kid === undefined ? undefined : this.verification.get(kid);
  }

  get algorithms(): JwtAlgorithm[] {
    return [...new Set([...this.verification.values()].map((v) => v.alg))];
  }

  private static algorithmOf(key: KeyObject): JwtAlgorithm {
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
    if (key.asymmetricKeyType === 'rsa') return 'RS256';
    throw new Error(`Unsupported JWT key type ${key.asymmetricKeyType} (use EC P-256 or RSA)`);
  }

  private static thumbprint(pub: KeyObject): string {
    return createHash('sha256')
      .update(pub.export({ type: 'spki', format: 'der' }))
      .digest('base64url')
      .slice(0, 16);
  }

  private static generatedKey(dataDir: string): string {
    const file = path.join(dataDir, 'jwt-signing-key.pem');
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    fs.mkdirSync(dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    new Logger('KeyStore').log(`generated a new ES256 signing key in ${file}`);
    return pem;
  }
}
