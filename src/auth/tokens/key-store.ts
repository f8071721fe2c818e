import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ForbiddenError, UnprocessableError } from '../../common/errors';
import { RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig, ConfigError } from '../../config/config';

export type JwtAlgorithm = 'ES256' | 'ES384' | 'RS256';

/** Every algorithm a key may carry; each key still pins its own (jsonwebtoken checks key type and curve). */
export const SUPPORTED_ALGORITHMS: JwtAlgorithm[] = ['ES256', 'ES384', 'RS256'];

export interface VerificationKey {
  kid: string;
  alg: JwtAlgorithm;
  key: KeyObject;
}

export interface Jwk extends JsonWebKey {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

const ROOT_GROUP_ID = 'root';

/**
 * Signing and verification keys, parsed once into KeyObjects (a PEM string passed to every
 * verify is re-parsed each time: about 10x slower). The signing key comes from configuration or
 * is generated once into the data dir; the public keys file adds verification keys, which is how a
 * rotation keeps old tokens valid. `reload()` (SIGHUP, admin route, CLI) re-reads both files and
 * swaps the whole set at once; a file that fails to parse leaves the current set in place.
 */
@Injectable()
export class KeyStore {
  private state: { signing: VerificationKey; verification: Map<string, VerificationKey> };
  private readonly log = new Logger('KeyStore');
  private readonly bootThumbprint: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.state = this.read();
    this.bootThumbprint = KeyStore.thumbprint(this.state.signing.key);
  }

  /** The active signing key (private). */
  get signing(): VerificationKey {
    return this.state.signing;
  }

  verificationKey(kid: string | undefined): VerificationKey | undefined {
    return kid === undefined ? undefined : this.state.verification.get(kid);
  }

  get algorithms(): JwtAlgorithm[] {
    return SUPPORTED_ALGORITHMS;
  }

  /** The public verification keys as a JWK Set (RFC 7517), the signing key first. */
  jwks(): { keys: Jwk[] } {
    return {
      keys: [...this.state.verification.values()].map((v) => ({
        ...v.key.export({ format: 'jwk' }),
        kid: v.kid,
        alg: v.alg,
        use: 'sig' as const,
      })),
    };
  }

  /** Re-reads the key files; answers the kids now in use. Throws (and keeps the old set) on a bad file. */
  reload(): { signingKid: string; kids: string[] } {
    const next = this.read();
    const before = this.state.signing.kid;
    this.state = next;
    const kids = [...next.verification.keys()];
    this.log.log(
      `keys reloaded: signing kid ${next.signing.kid}${before !== next.signing.kid ? ` (was ${before})` : ''}; verifying ${kids.join(', ')}`,
    );
    return { signingKid: next.signing.kid, kids };
  }

  /**
   * The admin route's entry: keys are deployment-wide, so only administrators of the root group may
   * reload. Key files that do not load are the operator's to fix, not a server fault: 422 with what
   * is wrong, each file named by the variable that points at it (never a path), the current keys kept.
   */
  reloadAs(ctx: RequestContext): { signingKid: string; kids: string[] } {
    if (!ctx.isAdmin || (ctx.user.homeGroupId ?? ctx.user.groupId) !== ROOT_GROUP_ID || ctx.groupId !== ROOT_GROUP_ID)
      throw new ForbiddenError('Only an administrator of the root group may reload the signing keys');
    try {
      return this.reload();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.log.warn(`key reload refused, the current keys stay: ${e.problems.join('; ')}`);
      throw new UnprocessableError(
        `The key files were not loaded; the current keys stay in use: ${e.problems.map((p) => this.withoutPaths(p)).join('; ')}`,
      );
    }
  }

  /**
   * A problem's text with each key file's path replaced by the variable that names it (whole paths
   * only: a short data dir such as `.` must not rewrite the rest of the text).
   */
  private withoutPaths(problem: string): string {
    const { jwt, dataDir } = this.config;
    const named: [string | undefined, string][] = [
      [jwt.privateKeyFile, 'CAREGATE_JWT_PRIVATE_KEY_FILE'],
      [jwt.publicKeysFile, 'CAREGATE_JWT_PUBLIC_KEYS_FILE'],
      [path.join(dataDir, 'jwt-signing-key.pem'), 'jwt-signing-key.pem in CAREGATE_DATA_DIR'],
      [path.join(dataDir, 'jwt-public-keys.json'), 'jwt-public-keys.json in CAREGATE_DATA_DIR'],
    ];
    return named.reduce((text, [p, name]) => (p ? text.split(p).join(name) : text), problem);
  }

  private read(): { signing: VerificationKey; verification: Map<string, VerificationKey> } {
    const { jwt, dataDir } = this.config;
    const source = jwt.privateKeyPem
      ? 'CAREGATE_JWT_PRIVATE_KEY'
      : jwt.privateKeyFile
        ? 'CAREGATE_JWT_PRIVATE_KEY_FILE'
        : path.join(dataDir, 'jwt-signing-key.pem');
    const pem = jwt.privateKeyPem ?? (jwt.privateKeyFile ? readKeyFile(jwt.privateKeyFile, source) : KeyStore.generatedKey(dataDir));
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new ConfigError([`${source}: not a PEM private key`]);
    }
    const alg = KeyStore.algorithmOf(key, source);
    const pub = createPublicKey(key);
    const thumb = KeyStore.thumbprint(pub);
    // The configured kid names the key the service booted with; a rotated key is named by its thumbprint.
    const kid = jwt.keyId && (this.bootThumbprint === undefined || this.bootThumbprint === thumb) ? jwt.keyId : thumb;
    const verification = new Map<string, VerificationKey>([[kid, { kid, alg, key: pub }]]);
    const file = jwt.publicKeysFile ?? path.join(dataDir, 'jwt-public-keys.json');
    // A missing file means no extra keys (the first rotation creates it).
    if (fs.existsSync(file)) {
      const label = jwt.publicKeysFile ? 'CAREGATE_JWT_PUBLIC_KEYS_FILE' : file;
      let extra: Record<string, string>;
      try {
        extra = JSON.parse(readKeyFile(file, label)) as Record<string, string>;
        if (!extra || typeof extra !== 'object' || Array.isArray(extra)) throw new Error();
      } catch (e) {
        if (e instanceof ConfigError) throw e;
        throw new ConfigError([`${label}: expected a JSON object { "kid": "PEM public key" }`]);
      }
      for (const [k, p] of Object.entries(extra)) {
        if (verification.has(k)) continue;
        let pk: KeyObject;
        try {
          pk = createPublicKey(p);
        } catch {
          throw new ConfigError([`${label}: key "${k}" is not a PEM public key`]);
        }
        verification.set(k, { kid: k, alg: KeyStore.algorithmOf(pk, `${label} key "${k}"`), key: pk });
      }
    }
    return { signing: { kid, alg, key }, verification };
  }

  /** RSA of at least 2048 bits, or EC P-256 / P-384; anything else is refused with the reason. */
  static algorithmOf(key: KeyObject, source = 'JWT key'): JwtAlgorithm {
    const d = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'prime256v1') return 'ES256';
    if (key.asymmetricKeyType === 'ec' && d?.namedCurve === 'secp384r1') return 'ES384';
    if (key.asymmetricKeyType === 'rsa') {
      if ((d?.modulusLength ?? 0) >= 2048) return 'RS256';
      throw new ConfigError([`${source}: RSA key of ${d?.modulusLength} bits is too weak (at least 2048 bits, or EC P-256/P-384)`]);
    }
    const what = key.asymmetricKeyType === 'ec' ? `EC curve ${d?.namedCurve}` : `${key.asymmetricKeyType} key`;
    throw new ConfigError([`${source}: unsupported ${what} (use RSA of at least 2048 bits, or EC P-256/P-384)`]);
  }

  static thumbprint(key: KeyObject): string {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
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

function readKeyFile(file: string, label: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`${label}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}
