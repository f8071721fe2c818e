import { currentRequest } from '../common/http/request-scope';
import type { RequestContext } from '../common/request-context';

/** Who is calling and from where, for the events of flows that act under a system context (login, reset). */
export interface RequestMetadata {
  requestId: string;
  ip?: string;
  ctx?: RequestContext;
}

/**
 * The metadata of the HTTP request the current call chain serves (the request scope, see
 * installRequestScope). Services still receive their RequestContext explicitly; only the event
 * recorder reads this, to attribute events that a service records under a system context to the
 * HTTP request that caused them.
 */
export function currentRequestMetadata(): RequestMetadata | undefined {
  const req = currentRequest();
  return req && { requestId: req.id ?? '', ip: req.ip, ctx: req.ctx };
}
