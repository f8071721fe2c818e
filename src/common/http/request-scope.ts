import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RequestContext } from '../request-context';

/** The HTTP request some code runs for, as the few readers of the request scope see it. */
export interface ScopedRequest {
  readonly id: string;
  readonly ip: string;
  /** The request's logger (`reqId` bound). */
  readonly log: FastifyBaseLogger;
  /** The context the auth guard built, once it has run. */
  readonly ctx?: RequestContext;
}

/** Fastify route config key set by `@ReadOnlyRoute()` (common/http/decorators.ts). */
export const READ_ONLY_ROUTE = 'caregateReadOnly';

const storage = new AsyncLocalStorage<ScopedRequest>();
const SCOPED = Symbol('caregate:request-scoped');
type Marked = { [SCOPED]?: boolean };
/** Scoped requests whose handler has not answered yet. */
let open = 0;

/**
 * The request the current async call chain serves, if any. Services receive their RequestContext
 * explicitly; only two readers use this: the event recorder (to attribute events a service records
 * under a system context to the request that caused them) and Nest's log lines (`reqId`).
 */
export function currentRequest(): ScopedRequest | undefined {
  return storage.getStore();
}

/**
 * One async-local scope per request, entered by a Fastify hook: the only AsyncLocalStorage a
 * request needs. An enabled AsyncLocalStorage makes Node run a hook on every promise the process
 * creates, so the scope is left out where nothing reads it and the storage is disabled while no
 * scoped request is being handled:
 * - `preHandler` (after the body is read, whose stream callbacks would not carry the scope; before
 *   the route's guard, pipes and handler, which run inside `run`: Fastify calls the next step from
 *   `done`). Routes marked `@ReadOnlyRoute()` (they write nothing and record no event) run
 *   unscoped, unless the request carries Basic credentials: checking a password may record a
 *   failed login, which must name the request.
 * - `onSend`: the handler has answered (its work is done); the last scoped answer disables the
 *   storage, the next `run` enables it again.
 */
export function installRequestScope(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (req, _reply, done) => {
    if ((req.routeOptions.config as unknown as Record<string, unknown>)[READ_ONLY_ROUTE] === true && !hasBasic(req.headers.authorization)) {
      return done();
    }
    (req as Marked)[SCOPED] = true;
    open++;
    storage.run(req, done);
  });
  fastify.addHook('onSend', (req, _reply, payload, done) => {
    if ((req as Marked)[SCOPED] === true) {
      (req as Marked)[SCOPED] = false;
      if (--open === 0) storage.disable();
    }
    done(null, payload);
  });
}

function hasBasic(authorization: string | undefined): boolean {
  return authorization !== undefined && /^basic\s/i.test(authorization);
}
