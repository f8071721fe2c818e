import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Authenticator } from 'passport';
import { inspect } from 'node:util';
import { CoreError, ForbiddenError, UnauthorizedError } from '../../common/errors';
import { admitRequest, HttpLocation, ISSUE_LOCATIONS, RouteErrorPolicy, routeErrorPolicy } from '../../common/http/issue-locations';
import { Principal, RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';
import { AuthService } from '../auth.service';
import { CredentialsService } from '../credentials.service';
import { PrincipalCache } from '../principal-cache';
import { RateLimits } from '../rate-limits';
import { BasicAuthStrategy } from '../strategies/basic.strategy';
import { extractAccessToken, JwtAccessStrategy } from '../strategies/jwt-access.strategy';
import type { AccessClaims } from '../tokens/token.service';
import { AUTH_RATE_LIMITED, IS_PUBLIC, REQUIRED_ROLES } from '../../common/http/decorators';

interface GuardedRequest {
  id: string;
  ip: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  ctx?: RequestContext;
  user?: Principal;
}

/** A strategy's failure as an Error (passport hands over whatever the strategy passed). */
function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(typeof err === 'string' ? err : inspect(err));
}

/** Runs a registered passport strategy through passport's documented custom-callback form. */
function runStrategy<T>(passport: InstanceType<typeof Authenticator>, name: string, req: unknown): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const middleware = passport.authenticate(name, { session: false }, (err: unknown, user: T | false) =>
      err ? reject(toError(err)) : resolve(user || null),
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(req, {}, (err?: unknown) => (err ? reject(toError(err)) : resolve(null)));
  });
}

export const AUTH_FAILURES = 'auth-failures';

/** iCure's answer to a failed login with a short password: a failure like any other. */
const FAILURE_CODES = new Set(['PASSWORD_TOO_SHORT']);

/** A route's metadata, read once per (controller, handler) pair: it does not change after boot. */
interface RouteInfo {
  isPublic: boolean;
  authRateLimited: boolean;
  roles: readonly string[] | undefined;
  /** `Controller.handler`, the auth-route budget's key suffix. */
  name: string;
  errors: RouteErrorPolicy;
}

/**
 * Global, deny-by-default. Builds the RequestContext once per request.
 * - A bearer token is verified once per process (passport-jwt), then its principal is built from
 *   the user's current row (roles, status, group chain) and cached until `exp`; the cache is
 *   dropped when the user's security version moves, so a change of roles, permissions or status
 *   takes effect on the next request without a database round trip per request.
 * - Failed authentications of every kind count against a per-IP budget (shared through Redis);
 *   past it, anything that needs a credential check answers 429.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * This application's own passport instance: the global one is shared by every app in the
   * process (tests boot several), and the last registered strategy would win.
   */
  private readonly passport = new Authenticator();
  private readonly routes = new WeakMap<object, Map<object, RouteInfo>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly cache: PrincipalCache,
    private readonly limits: RateLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    jwtStrategy: JwtAccessStrategy,
    basicStrategy: BasicAuthStrategy,
  ) {
    this.passport.use('jwt', jwtStrategy);
    this.passport.use('basic', basicStrategy);
  }

  canActivate(ec: ExecutionContext): boolean | Promise<boolean> {
    const req = ec.switchToHttp().getRequest<GuardedRequest>();
    const route = this.route(ec);
    // The common case, answered without a promise: a protected route and a bearer token whose
    // principal is cached. Everything else takes the full path below (same checks, same order).
    if (!route.authRateLimited && !route.isPublic) {
      const cached = this.cachedBearer(req);
      if (cached) return this.admit(req, route, cached);
    }
    return this.activate(req, route);
  }

  private async activate(req: GuardedRequest, route: RouteInfo): Promise<boolean> {
    if (route.authRateLimited) {
      // One budget per client IP and route: a burst on one auth route does not lock the others.
      const { max, windowSeconds } = this.config.authRateLimit;
      await this.limits.hit('auth-route', `${req.ip}:${route.name}`, max, windowSeconds);
      await this.assertFailureBudget(req);
    }
    if (route.isPublic) {
      req.ctx = RequestContext.anonymous(req.id, req.ip);
      admitRequest(req, route.errors);
      return true;
    }
    const principal = await this.authenticate(req);
    if (!principal) throw new UnauthorizedError('AUTH_REQUIRED');
    return this.admit(req, route, principal);
  }

  /** An authenticated request: its context, then the route's roles. */
  private admit(req: GuardedRequest, route: RouteInfo, principal: Principal): true {
    req.user = principal;
    req.ctx = RequestContext.authenticated(principal, req.id, req.ip);
    const roles = route.roles;
    if (roles?.length && !roles.some((r) => principal.roles.includes(r))) {
      throw new ForbiddenError(`This operation requires the role ${roles.join(' or ')}`);
    }
    admitRequest(req, route.errors);
    return true;
  }

  /** The cached principal of the request's bearer token, if it has one (never for Basic). */
  private cachedBearer(req: GuardedRequest): Principal | undefined {
    if (isBasic(req)) return undefined;
    const token = extractAccessToken(req);
    const cached = token ? this.cache.getBearer(token) : undefined;
    if (cached) this.metrics.tokenVerification('cache_hit');
    return cached;
  }

  private route(ec: ExecutionContext): RouteInfo {
    const controller = ec.getClass();
    const handler = ec.getHandler();
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new Map<object, RouteInfo>()));
    let info = byHandler.get(handler);
    if (!info) {
      const targets = [handler, controller];
      const authRateLimited = !!this.reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMITED, targets);
      info = {
        isPublic: !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets),
        authRateLimited,
        roles: this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets),
        name: `${controller.name}.${handler.name}`,
        errors: routeErrorPolicy(
          {
            controller: this.reflector.get<Record<string, HttpLocation> | undefined>(ISSUE_LOCATIONS, controller),
            handler: this.reflector.get<Record<string, HttpLocation> | undefined>(ISSUE_LOCATIONS, handler),
          },
          // Failed authentications on the auth routes (login, check, refresh, invalidate, switch, and
          // the accounts profile's) count against the same per-IP budget as failed Basic and bearer attempts.
          authRateLimited ? (e, r) => (isAuthFailure(e) ? this.recordFailure(r.ip) : undefined) : undefined,
        ),
      };
      byHandler.set(handler, info);
    }
    return info;
  }

  /** Counts one failed authentication of the client's IP. */
  recordFailure(ip: string): Promise<void> {
    const { max, windowSeconds } = this.config.authFailureLimit;
    return this.limits.record(AUTH_FAILURES, ip, max, windowSeconds);
  }

  private assertFailureBudget(req: GuardedRequest): Promise<void> {
    const { max, windowSeconds } = this.config.authFailureLimit;
    return this.limits.assertAvailable(AUTH_FAILURES, req.ip, max, windowSeconds);
  }

  private async authenticate(req: GuardedRequest): Promise<Principal | null> {
    if (isBasic(req)) {
      await this.assertFailureBudget(req);
      const p = await this.failing(req, runStrategy<Principal>(this.passport, 'basic', req));
      if (!p) {
        await this.recordFailure(req.ip);
        throw new UnauthorizedError('BAD_CREDENTIALS');
      }
      return p;
    }
    const token = extractAccessToken(req);
    if (!token) return null;
    const cached = this.cachedBearer(req);
    if (cached) return cached;
    await this.assertFailureBudget(req);
    const claims = await this.failing(req, runStrategy<AccessClaims>(this.passport, 'jwt', req));
    const p = claims && (await this.failing(req, this.principalOf(token, claims)));
    this.metrics.tokenVerification(p ? 'valid' : 'invalid');
    if (!p) {
      await this.recordFailure(req.ip);
      throw new UnauthorizedError('BAD_CREDENTIALS', 'Invalid or expired token');
    }
    return p;
  }

  /** The principal of verified claims, from the user's current row (the uncommon path: once per token). */
  private async principalOf(token: string, claims: AccessClaims): Promise<Principal> {
    const auth = await this.auth.loadActive(claims.grp, claims.sub);
    // Frozen once: every request of the token shares it (RequestContext does not copy a frozen principal).
    const principal = Object.freeze(CredentialsService.principalOf(auth, 'jwt', claims.sid));
    this.cache.putBearer(token, principal, auth.user.securityVersion, claims.exp * 1000);
    return principal;
  }

  /** An UnauthorizedError from a strategy is a failed authentication like a refusal. */
  private async failing<T>(req: GuardedRequest, p: Promise<T | null>): Promise<T | null> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof UnauthorizedError) await this.recordFailure(req.ip);
      throw e;
    }
  }
}

function isAuthFailure(e: unknown): boolean {
  return e instanceof UnauthorizedError || (e instanceof CoreError && FAILURE_CODES.has(e.code));
}

function isBasic(req: GuardedRequest): boolean {
  const authz = req.headers.authorization;
  return typeof authz === 'string' && /^basic\s/i.test(authz);
}
