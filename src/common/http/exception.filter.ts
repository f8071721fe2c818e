import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CoreError } from '../errors';
import { admittedPolicy, locateIssues, locateRouteIssues } from './issue-locations';
import { normalizeError } from './normalize-error';
import { ProfileRegistry } from './profile-registry';

const log = new Logger('Errors');

/** Sends any error in the shape of the profile that owns the URL; 5xx are logged, never detailed. */
export function sendError(registry: ProfileRegistry, err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  // Issues raised outside a route handler (no @IssueLocations in reach) are about the body.
  const error = locateIssues(normalizeError(err));
  const requestId = String(req.id);
  if (error.code === 'INTERNAL') {
    log.error({
      msg: 'unhandled error',
      requestId,
      url: req.url,
      err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    });
  }
  const out = registry.rendererFor(req.url).render({ error, requestId, url: req.url });
  void reply
    .status(out.status)
    .headers({ 'content-type': 'application/json; charset=utf-8', ...(out.headers ?? {}) })
    .send(out.body === undefined ? undefined : JSON.stringify(out.body));
}

/**
 * The global filter: every profile's errors go through its registered renderer. For a request the
 * guard admitted to a route, the route's policy applies first (issues located in the path, query or
 * headers; a failed authentication counted on the auth routes): see RouteErrorPolicy.
 */
@Catch()
export class ProfileExceptionFilter implements ExceptionFilter {
  constructor(private readonly registry: ProfileRegistry) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const policy = admittedPolicy(req);
    if (!policy) return sendError(this.registry, exception, req, reply);
    const error = exception instanceof CoreError ? locateRouteIssues(exception, req, policy) : exception;
    const pending = policy.beforeError?.(error, req);
    if (!pending) return sendError(this.registry, error, req, reply);
    // Nest has already handed the reply back to Fastify, which waits for this send.
    pending.then(
      () => sendError(this.registry, error, req, reply),
      (e: unknown) => sendError(this.registry, e, req, reply),
    );
  }
}
