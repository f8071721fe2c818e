import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../common/request-context';

/** Who is calling and from where, for the events of flows that act under a system context (login, reset). */
export interface RequestMetadata {
  requestId: string;
  ip?: string;
  /** The context the auth guard built for the request (once it has run). */
  ctx?: RequestContext;
}

const storage = new AsyncLocalStorage<RequestMetadata>();

export function currentRequestMetadata(): RequestMetadata | undefined {
  return storage.getStore();
}

interface MetadataRequest {
  id: string;
  ip?: string;
  ctx?: RequestContext;
}

/** A request's metadata; `ctx` is read from the request when asked for (the guard sets it later). */
class RequestMetadataOf implements RequestMetadata {
  constructor(private readonly req: MetadataRequest) {}
  get requestId(): string {
    return this.req.id ?? '';
  }
  get ip(): string | undefined {
    return this.req.ip;
  }
  get ctx(): RequestContext | undefined {
    return this.req.ctx;
  }
}

/**
 * Runs each request's handler with its metadata in async-local storage (a Fastify hook, so no
 * per-request Nest interceptor). Services still receive their RequestContext explicitly; only the
 * event recorder reads this, to attribute events that a service records under a system context to
 * the HTTP request that caused them.
 */
export function installRequestMetadata(fastify: FastifyInstance): void {
  // A callback hook: Fastify calls the next step (and the route handler) from `done`, inside `run`.
  fastify.addHook('preHandler', (req, _reply, done) => storage.run(new RequestMetadataOf(req as MetadataRequest), done));
}
