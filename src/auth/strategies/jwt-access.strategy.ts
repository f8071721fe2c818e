import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import * as jwt from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Clock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RevocationCache } from '../../credentials/sessions/revocation-cache';
import { claimProblem } from '../tokens/claims';
import { KeyStore } from '../tokens/key-store';
import type { AccessClaims } from '../tokens/token.service';

/** Bearer (Authorization) or X-User-Token (accounts profile): the same access JWT. */
export const extractAccessToken = ExtractJwt.fromExtractors([
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  ExtractJwt.fromHeader('x-user-token'),
]);

/**
 * Access-token verification by passport-jwt through its public options: the key is chosen by
 * `kid` among KeyObjects parsed once (secretOrKeyProvider), the algorithm pinned to that key's,
 * `iss` and `aud` checked by jsonwebtoken. Time is not judged by jsonwebtoken (its clock cannot
 * be injected through passport-jwt: `clockTimestamp` is a fixed number), so `ignoreExpiration`
 * and `ignoreNotBefore` hand it to `validate`, which judges exp/nbf/iat by the injected clock
 * and checks the required claims, `typ` and `crit` (claims.ts). The session must not be revoked
 * (in-process cache, no database round trip). Yields the verified claims; the guard builds the
 * principal.
 */
@Injectable()
export class JwtAccessStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: KeyStore,
    private readonly revocations: RevocationCache,
    private readonly clock: Clock,
  ) {
    super({
      jwtFromRequest: extractAccessToken,
      algorithms: keys.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true, complete: true },
      secretOrKeyProvider: (_req: unknown, raw: string, done: (err: unknown, key?: string | Buffer) => void) => {
        const kid = jwt.decode(raw, { complete: true })?.header?.kid;
        const key = keys.verificationKey(kid);
        // An unknown kid verifies against nothing: the token is rejected as a bad signature.
        if (!key) return done(null, '');
        // jsonwebtoken accepts a KeyObject; the typing of passport-jwt predates it.
        return done(null, key.key as unknown as Buffer);
      },
    });
  }

  validate(token: jwt.Jwt): AccessClaims | false {
    const problem = claimProblem(token.header as jwt.JwtHeader & Record<string, unknown>, token.payload, 'access', this.clock.now() / 1000);
    if (problem) return false;
    // Each key verifies only with its own algorithm, even when keys of several types are loaded.
    if (this.keys.verificationKey(token.header.kid)?.alg !== token.header.alg) return false;
    const claims = token.payload as AccessClaims;
    if (this.revocations.isRevoked(claims.sid)) return false;
    return claims;
  }
}
