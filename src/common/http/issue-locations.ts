import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, Observable, throwError } from 'rxjs';
import { CoreError, validationMessage, ValidationError, ValidationIssue } from '../errors';

export type HttpLocation = 'body' | 'query' | 'path' | 'header';
const HTTP_LOCATIONS: ReadonlySet<unknown> = new Set<HttpLocation>(['body', 'query', 'path', 'header']);
const ISSUE_LOCATIONS = 'caregate:issue-locations';

/**
 * Where a route takes the inputs the core names by field, for the fields that are not in the body:
 * `@IssueLocations({ key: 'path', tokenValidity: 'query', token: 'header' })` on a controller or a
 * route. The core's validation issues say only which field is wrong; this says where it travelled.
 */
export const IssueLocations = (where: Record<string, Exclude<HttpLocation, 'body'>>) => SetMetadata(ISSUE_LOCATIONS, where);

/** Prefixes each unlocated issue with its HTTP location (a field not declared is in the body). */
export function locateIssues(error: CoreError, where: Record<string, HttpLocation> = {}): CoreError {
  const issues = error.details.issues;
  if (!issues?.some((i) => !HTTP_LOCATIONS.has(i.loc[0]))) return error;
  const located = issues.map((i): ValidationIssue =>
    HTTP_LOCATIONS.has(i.loc[0]) ? i : { ...i, loc: [where[String(i.loc[0])] ?? 'body', ...i.loc] },
  );
  const message = error.message === validationMessage(issues) ? validationMessage(located) : error.message;
  const out =
    error instanceof ValidationError
      ? new ValidationError(located, message)
      : new CoreError(error.code, message, { ...error.details, issues: located });
  out.stack = error.stack;
  return out;
}

/** Locates the issues of core errors thrown by a route with the route's (and its controller's) @IssueLocations. */
@Injectable()
export class LocateIssuesInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // A field that arrived in the path or the query is located there; declarations refine the rest.
    const req = context.switchToHttp().getRequest<{ params?: object; query?: object } | undefined>();
    const where: Record<string, HttpLocation> = {
      ...Object.fromEntries(Object.keys(req?.query ?? {}).map((k) => [k, 'query' as const])),
      ...Object.fromEntries(Object.keys(req?.params ?? {}).map((k) => [k, 'path' as const])),
      ...this.reflector.get<Record<string, HttpLocation> | undefined>(ISSUE_LOCATIONS, context.getClass()),
      ...this.reflector.get<Record<string, HttpLocation> | undefined>(ISSUE_LOCATIONS, context.getHandler()),
    };
    return next.handle().pipe(catchError((e: unknown) => throwError(() => (e instanceof CoreError ? locateIssues(e, where) : e))));
  }
}
