import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Strategy } from 'passport';
import { Clock } from '../../common/clock';
import { ForbiddenError, UnauthorizedError } from '../../common/errors';
import { Principal, RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { RateLimiter } from '../rate-limiter';
import { RevocationCache } from '../../credentials/sessions/revocation-cache';
import { BasicAuthStrategy } from '../strategies/basic.strategy';
import { extractAccessToken, JwtAccessStrategy } from '../strategies/jwt-access.strategy';
import { AUTH_RATE_LIMITED, IS_PUBLIC, REQUIRED_ROLES } from '../../common/http/decorators';

interface GuardedRequest {
  id: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  ctx?: RequestContext;
  user?: Principal;
}

/** Runs a passport strategy outside the passport middleware: success -> principal, fail -> null. */
function runStrategy(strategy: Strategy, req: unknown): Promise<Principal | null> {
  return new Promise((resolve, reject) => {
    const s = Object.create(strategy) as Strategy & { success(u: Principal): void; fail(): void; error(e: unknown): void; pass(): void };
    s.success = (user) => resolve(user);
    s.fail = () => resolve(null);
    s.pass = () => resolve(null);
    s.error = (e) => reject(e instanceof Error ? e : new Error(String(e)));
    (s.authenticate as (this: unknown, r: unknown, o: object) => void).call(s, req, {});
  });
}

const MAX_CACHED_TOKENS = 10000;

/**
 * Global, deny-by-default. Builds the RequestContext once per request. Bearer tokens already
 * verified are served from a bounded cache until their `exp` (the revocation check still runs).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly verified = new Map<string, { principal: Principal; expMs: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwtStrategy: JwtAccessStrategy,
    private readonly basicStrategy: BasicAuthStrategy,
    private readonly revocations: RevocationCache,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async canActivate(ec: ExecutionContext): Promise<boolean> {
    const req = ec.switchToHttp().getRequest<GuardedRequest>();
    const targets = [ec.getHandler(), ec.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMITED, targets)) {
      // One budget per client IP and route: a burst on one auth route does not lock the others.
      this.limiter.hit(
        `auth:${req.ip}:${ec.getClass().name}.${ec.getHandler().name}`,
        this.config.authRateLimit.max,
        this.config.authRateLimit.windowSeconds,
      );
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      req.ctx = RequestContext.anonymous(req.id, req.ip);
      return true;
    }
    const principal = await this.authenticate(req);
    if (!principal) throw new UnauthorizedError('AUTH_REQUIRED');
    req.user = principal;
    req.ctx = RequestContext.authenticated(principal, req.id, req.ip);
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets);
    if (roles?.length && !roles.some((r) => principal.roles.includes(r))) {
      throw new ForbiddenError(`This operation requires the role ${roles.join(' or ')}`);
    }
    return true;
  }

  private async authenticate(req: GuardedRequest): Promise<Principal | null> {
    const authz = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    if (/^basic\s/i.test(authz)) {
      const p = await runStrategy(this.basicStrategy, req);
      if (!p) throw new UnauthorizedError('BAD_CREDENTIALS');
      return p;
    }
    const token = extractAccessToken(req);
    if (!token) return null;
    const cached = this.verified.get(token);
    if (cached && cached.expMs > this.clock.now()) {
      if (cached.principal.sessionId && this.revocations.isRevoked(cached.principal.sessionId))
        throw new UnauthorizedError('BAD_CREDENTIALS', 'Session ended');
      return cached.principal;
    }
    const p = await runStrategy(this.jwtStrategy, req);
    if (!p) throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid or expired token');
    this.remember(token, p);
    return p;
  }

  private remember(token: string, principal: Principal): void {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number };
    if (this.verified.size >= MAX_CACHED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { principal, expMs: payload.exp * 1000 });
  }
}
