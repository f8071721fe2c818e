import { Inject, Injectable } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../common/clock';
import { UnauthorizedError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { claimProblem } from './claims';
import { KeyStore } from './key-store';

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
    const decoded = jwt.decode(raw, { complete: true });
    const key = this.keys.verificationKey(decoded?.header.kid);
    if (!key) throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid refresh token');
    try {
      // Time is judged by the injected clock in claimProblem, like access tokens.
      const token = jwt.verify(raw, key.key, {
        algorithms: [key.alg],
        issuer: this.config.jwt.issuer,
        audience: `${this.config.jwt.audience}:refresh`,
        ignoreExpiration: true,
        ignoreNotBefore: true,
        complete: true,
      });
      if (claimProblem(token.header as jwt.JwtHeader & Record<string, unknown>, token.payload, 'refresh', this.clock.now() / 1000))
        throw new Error('refused claims');
      return token.payload as RefreshClaims;
    } catch {
      throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid or expired refresh token');
    }
  }

  private sign(claims: object): string {
    const s = this.keys.signing;
    // jsonwebtoken keeps the iat given (from the injected clock); noTimestamp would drop it.
    return jwt.sign(claims, s.key, { algorithm: s.alg, keyid: s.kid });
  }
}
