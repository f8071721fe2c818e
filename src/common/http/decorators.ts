import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBasicAuth, ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ADMINISTRATOR, RequestContext } from '../request-context';
import { READ_ONLY_ROUTE } from './request-scope';

export const IS_PUBLIC = 'caregate:public';
export const REQUIRED_ROLES = 'caregate:roles';
export const AUTH_RATE_LIMITED = 'caregate:auth-rate-limited';

/** Opts a route out of the deny-by-default guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Counts the route against the per-IP limit on authentication routes (429 with Retry-After). */
export const AuthRateLimited = () => SetMetadata(AUTH_RATE_LIMITED, true);

/**
 * A route that writes nothing and records no domain event (hot reads, health probes): unless the
 * request carries Basic credentials, it runs outside the request scope, so the event recorder and
 * Nest's log lines do not see the request there (see installRequestScope). Never on a route that
 * may write, even indirectly.
 */
export const ReadOnlyRoute = () => RouteConfig({ [READ_ONLY_ROUTE]: true });

/** Documents the schemes every protected route accepts. */
export const Authenticated = () =>
  applyDecorators(
    ApiBearerAuth('bearer'),
    ApiBasicAuth('basic'),
    ApiUnauthorizedResponse({ description: 'Missing, bad or expired credentials' }),
  );

/** Requires one of the roles; documented in Swagger with the 403 it answers otherwise. */
export const Roles = (...roles: string[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    Authenticated(),
    ApiForbiddenResponse({ description: `Requires role ${roles.join(' or ')}` }),
  );

/** Admin-only operation (role ADMINISTRATOR in the caller's group). */
export const AdminOnly = () => Roles(ADMINISTRATOR);

/** The accounts profile's header scheme. */
export const UserTokenAuth = () =>
  applyDecorators(ApiSecurity('x-user-token'), ApiUnauthorizedResponse({ description: 'Missing or bad X-User-Token' }));

/** The RequestContext built by the guard. */
export const Ctx = createParamDecorator((_: unknown, ec: ExecutionContext): RequestContext => {
  const req = ec.switchToHttp().getRequest<{ ctx?: RequestContext }>();
  if (!req.ctx) throw new Error('RequestContext missing: is the AuthGuard installed?');
  return req.ctx;
});
