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

const storage = new AsyncLocalStorage<ScopedRequest>();

/**
 * The request the current async call chain serves, if any. Services receive their RequestContext
 * explicitly; only two readers use this: the event recorder (to attribute events a service records
 * under a system context to the request that caused them) and Nest's log lines (`reqId`).
 */
export function currentRequest(): ScopedRequest | undefined {
  return storage.getStore();
}

/**
 * One async-local scope per request, entered once by a Fastify hook: the only AsyncLocalStorage a
 * request needs (every one that is active costs Node's promise hooks a step on every promise).
 * `preHandler`: after the body is read (stream callbacks would not carry the scope), before the
 * route's handler, whose guard, pipes and handler run inside it. A callback hook: Fastify calls the
 * next step from `done`, inside `run`.
 */
export function installRequestScope(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (req, _reply, done) => storage.run(req as ScopedRequest, done));
}
