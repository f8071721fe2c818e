import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { CoreError, UnauthorizedError } from '../../common/errors';
import { AuthGuard } from './auth.guard';
import { AUTH_RATE_LIMITED } from '../../common/http/decorators';

/** iCure's answer to a failed login with a short password: a failure like any other. */
const FAILURE_CODES = new Set(['PASSWORD_TOO_SHORT']);

/**
 * Failed authentications on the auth routes (login, check, refresh, invalidate, switch, and the
 * accounts profile's) count against the same per-IP budget as failed Basic and bearer attempts.
 */
@Injectable()
export class AuthFailuresInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly guard: AuthGuard,
  ) {}

  intercept(ec: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMITED, [ec.getHandler(), ec.getClass()])) return next.handle();
    const ip = ec.switchToHttp().getRequest<{ ip: string }>().ip;
    return next.handle().pipe(
      catchError((e: unknown) => {
        const failed = e instanceof UnauthorizedError || (e instanceof CoreError && FAILURE_CODES.has(e.code));
        if (!failed) return throwError(() => e);
        return from(this.guard.recordFailure(ip)).pipe(mergeMap(() => throwError(() => e)));
      }),
    );
  }
}
