import { Inject, Injectable } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../common/clock';
import { UnauthorizedError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { claimProblem } from './claims';
import { KeyStore, VerificationKey } from './key-store';

/** A refresh token whose signature, issuer and audience checked out, with the key that verified it. */
interface VerifiedRefresh {
  key: VerificationKey;
  header: jwt.JwtHeader & Record<string, unknown>;
  payload: RefreshClaims;
}

/** How many verified refresh tokens are remembered (oldest dropped first). */
const VERIFIED_REFRESH_MAX = 10000;

/** Claims of an access token. `sid` binds it to a session; `anc` is the group's ancestor chain. */
export interface AccessClaims {
  sub: string;
  grp: string;
  anc: string[];
  roles: string[];
  sid: string;
  login?: string;
  typ: 'access';
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  iss: string;
  aud: string;
}

export interface RefreshClaims {
  sub: string;
  grp: string;
  sid: string;
  typ: 'refresh';
  nbf: number;
  exp: number;
  iat: number;
  jti: string;
}

/** Signs tokens with the pinned algorithm of the signing key. Verification of access tokens is passport-jwt's. */
@Injectable()
export class TokenService {
  /**
   * Refresh tokens whose signature was verified, by their exact text. A client refreshes with the
   * same token many times; the ES256 verification of identical bytes under the identical key gives
   * the same answer every time, so it runs once. A hit is only used while the key that verified it
   * is still the one its `kid` names (a key reload or rotation drops it), and the time and claim
   * checks (claimProblem) run on every call; the session check is the caller's, every call.
   */
  private readonly verified = new Map<string, VerifiedRefresh>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeyStore,
    private readonly clock: Clock,
  ) {}

  get accessTtlSeconds(): number {
    return this.config.jwt.accessTtlSeconds;
  }

  signAccess(
    p: {
      userId: string;
      groupId: string;
      ancestorGroupIds: readonly string[];
      roles: readonly string[];
      sessionId: string;
      login?: string | null;
    },
    ttlSeconds = this.config.jwt.accessTtlSeconds,
  ): string {
    const iat = Math.floor(this.clock.now() / 1000);
    const claims: AccessClaims = {
      sub: p.userId,
      grp: p.groupId,
      anc: [...p.ancestorGroupIds],
      roles: [...p.roles],
      sid: p.sessionId,
      ...(p.login ? { login: p.login } : {}),
      typ: 'access',
      iat,
      nbf: iat,
      exp: iat + ttlSeconds,
      jti: randomUUID(),
      iss: this.config.jwt.issuer,
      aud: this.config.jwt.audience,
    };
    return this.sign(claims);
  }

  signRefresh(p: { userId: string; groupId: string; sessionId: string; expiresAt: number }): string {
    const iat = Math.floor(this.clock.now() / 1000);
    return this.sign({
      sub: p.userId,
      grp: p.groupId,
      sid: p.sessionId,
      typ: 'refresh',
      iat,
      nbf: iat,
      exp: Math.floor(p.expiresAt / 1000),
      jti: randomUUID(),
      iss: this.config.jwt.issuer,
      aud: `${this.config.jwt.audience}:refresh`,
    });
  }

  /** Verifies a refresh token's signature, audience and expiry; the session check is the caller's. */
  verifyRefresh(token: string | undefined): RefreshClaims {
    if (!token) throw new UnauthorizedError('AUTH_REQUIRED', 'Missing Refresh-Token header');
    const raw = token.replace(/^Bearer\s+/i, '').trim();
    const v = this.verifiedRefresh(raw);
    // Time is judged by the injected clock in claimProblem, like access tokens.
    if (!v || claimProblem(v.header, v.payload, 'refresh', this.clock.now() / 1000))
      throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid or expired refresh token');
    return v.payload;
  }

  /** The signature, algorithm, issuer and audience check of a refresh token (remembered on success), or null. */
  private verifiedRefresh(raw: string): VerifiedRefresh | null {
    const known = this.verified.get(raw);
    if (known && this.keys.verificationKey(known.header.kid) === known.key) return known;
    if (known) this.verified.delete(raw);
    const decoded = jwt.decode(raw, { complete: true });
    const key = this.keys.verificationKey(decoded?.header.kid);
    if (!key) throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid refresh token');
    let token: jwt.Jwt;
    try {
      token = jwt.verify(raw, key.key, {
        algorithms: [key.alg],
        issuer: this.config.jwt.issuer,
        audience: `${this.config.jwt.audience}:refresh`,
        ignoreExpiration: true,
        ignoreNotBefore: true,
        complete: true,
      });
    } catch {
      return null;
    }
    const v: VerifiedRefresh = {
      key,
      header: token.header as jwt.JwtHeader & Record<string, unknown>,
      payload: Object.freeze(token.payload) as RefreshClaims,
    };
    // Only well-formed tokens are kept: a token refused by its claims is checked afresh each time.
    if (!claimProblem(v.header, v.payload, 'refresh', this.clock.now() / 1000)) {
      if (this.verified.size >= VERIFIED_REFRESH_MAX) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(raw, v);
    }
    return v;
  }

  private sign(claims: object): string {
    const s = this.keys.signing;
    // jsonwebtoken keeps the iat given (from the injected clock); noTimestamp would drop it.
    return jwt.sign(claims, s.key, { algorithm: s.alg, keyid: s.kid });
  }
}
