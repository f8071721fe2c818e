import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BasicStrategy as PassportBasic } from 'passport-http';
import { Principal } from '../../common/request-context';
import { CredentialsService, routeOfToken } from '../credentials.service';
import { PrincipalCache } from '../principal-cache';

interface BasicRequest {
  method: string;
  url: string;
}

/**
 * Basic auth on every protected route: `login:password`, `login:password|TOTP` or `login:appToken`.
 * A successful password check is remembered (PrincipalCache, keyed by an HMAC of the credentials)
 * so repeated calls skip argon2; app tokens are checked each time (they can be revoked on their
 * own). A method/path token opens only the route it was issued for.
 */
@Injectable()
export class BasicAuthStrategy extends PassportStrategy(PassportBasic, 'basic') {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly cache: PrincipalCache,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(req: BasicRequest, username: string, password: string): Promise<Principal | false> {
    const key = this.cache.basicKey(username, password);
    const cached = this.cache.getBasic(key);
    if (cached) return cached;
    const auth = await this.credentials.authenticate(username, password, { allowRouteTokens: true });
    const principal = CredentialsService.principalOf(auth, 'basic');
    if (auth.via?.kind === 'token') {
      const route = routeOfToken(auth.via.key);
      if (route && (route.method !== req.method.toUpperCase() || route.path !== pathOf(req.url))) return false;
      return principal;
    }
    // A second factor is single-use by intent: a cached `password|code` would replay it.
    if (!auth.user.use2fa) this.cache.putBasic(key, principal, auth.user.securityVersion);
    return principal;
  }
}

function pathOf(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
