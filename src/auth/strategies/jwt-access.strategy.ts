import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import * as jwt from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Inject } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Principal } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RevocationCache } from '../../credentials/sessions/revocation-cache';
import { KeyStore } from '../tokens/key-store';
import type { AccessClaims } from '../tokens/token.service';

/** Bearer (Authorization) or X-User-Token (accounts profile): the same access JWT. */
export const extractAccessToken = ExtractJwt.fromExtractors([
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  ExtractJwt.fromHeader('x-user-token'),
]);

/**
 * Access-token verification by passport-jwt: key chosen by `kid` among KeyObjects parsed once,
 * algorithm pinned to that key's, `iss`, `aud`, `exp` and `nbf` checked; then the session must not
 * be revoked (in-process cache, no database round trip).
 */
@Injectable()
export class JwtAccessStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    keys: KeyStore,
    private readonly revocations: RevocationCache,
    clock: Clock,
  ) {
    super({
      jwtFromRequest: extractAccessToken,
      algorithms: keys.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      jsonWebTokenOptions: { clockTolerance: 5 },
      secretOrKeyProvider: (_req: unknown, raw: string, done: (err: unknown, key?: string | Buffer) => void) => {
        const kid = jwt.decode(raw, { complete: true })?.header?.kid;
        const key = keys.verificationKey(kid);
        // An unknown kid verifies against nothing: the token is rejected as a bad signature.
        if (!key) return done(null, '');
        // jsonwebtoken accepts a KeyObject; the typing of passport-jwt predates it.
        return done(null, key.key as unknown as Buffer);
      },
    });
    // exp/nbf are judged by the injected clock (tests move time instead of sleeping);
    // jsonwebtoken copies its options on every verify, so the getter is read per token.
    Object.defineProperty((this as unknown as { _verifOpts: object })._verifOpts, 'clockTimestamp', {
      get: () => Math.floor(clock.now() / 1000),
      enumerable: true,
    });
  }

  validate(claims: AccessClaims): Principal | false {
    if (claims.typ !== 'access' || !claims.sid || this.revocations.isRevoked(claims.sid)) return false;
    return {
      userId: claims.sub,
      groupId: claims.grp,
      ancestorGroupIds: claims.anc ?? [],
      roles: claims.roles ?? [],
      sessionId: claims.sid,
      login: claims.login,
      authMethod: 'jwt',
    };
  }
}
