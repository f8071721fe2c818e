import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';
import type { RequestContext } from '../common/request-context';

/** Who is calling and from where, for the events of flows that act under a system context (login, reset). */
export interface RequestMetadata {
  requestId: string;
  ip?: string;
  ctx?: RequestContext;
}

const storage = new AsyncLocalStorage<RequestMetadata>();

export function currentRequestMetadata(): RequestMetadata | undefined {
  return storage.getStore();
}

/**
 * Runs each handler with its request's metadata in async-local storage. Services still receive
 * their RequestContext explicitly; only the event recorder reads this, to attribute events that a
 * service records under a system context to the HTTP request that caused them.
 */
@Injectable()
export class RequestMetadataInterceptor implements NestInterceptor {
  intercept(ec: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ec.getType() !== 'http') return next.handle();
    const req = ec.switchToHttp().getRequest<{ id?: string; ip?: string; ctx?: RequestContext }>();
    const store: RequestMetadata = { requestId: req.id ?? '', ip: req.ip, ctx: req.ctx };
    return new Observable((subscriber) => storage.run(store, () => next.handle().subscribe(subscriber)));
  }
}
