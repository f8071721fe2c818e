import { SetMetadata } from '@nestjs/common';
import { CoreError, validationMessage, ValidationError, ValidationIssue } from '../errors';

export type HttpLocation = 'body' | 'query' | 'path' | 'header';
const HTTP_LOCATIONS: ReadonlySet<unknown> = new Set<HttpLocation>(['body', 'query', 'path', 'header']);
export const ISSUE_LOCATIONS = 'caregate:issue-locations';

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

/**
 * What the exception filter needs to know about the route a request was admitted to, for the errors
 * its pipes and handler throw. The auth guard (which sees the route's handler and controller)
 * records it on the request once the request is admitted, so no per-request interceptor runs: errors
 * raised before that (routing, body parsing, the guard itself) are answered without it, as before.
 * One policy object per route, built once.
 */
export interface RouteErrorPolicy {
  /** The route's and its controller's @IssueLocations, merged (the route's win). */
  readonly declared: Readonly<Record<string, HttpLocation>>;
  /**
   * Work to finish before an error of the route is answered (e.g. counting a failed authentication),
   * or undefined when there is none for this error. If it fails, its error is answered instead.
   */
  readonly beforeError?: (error: unknown, req: AdmittedRequest) => Promise<void> | undefined;
}

export interface AdmittedRequest {
  ip: string;
  params?: unknown;
  query?: unknown;
}

const ROUTE_ERRORS = Symbol('caregate:route-errors');
type WithPolicy = { [ROUTE_ERRORS]?: RouteErrorPolicy };

/** Builds a route's policy from its handler's and controller's metadata. */
export function routeErrorPolicy(
  declared: { handler?: Record<string, HttpLocation>; controller?: Record<string, HttpLocation> },
  beforeError?: RouteErrorPolicy['beforeError'],
): RouteErrorPolicy {
  return Object.freeze({ declared: Object.freeze({ ...declared.controller, ...declared.handler }), beforeError });
}

/** Records, on an admitted request, how its route's errors are answered. */
export function admitRequest(req: object, policy: RouteErrorPolicy): void {
  (req as WithPolicy)[ROUTE_ERRORS] = policy;
}

export function admittedPolicy(req: object | undefined): RouteErrorPolicy | undefined {
  return req ? (req as WithPolicy)[ROUTE_ERRORS] : undefined;
}

/**
 * Locates the issues of a core error thrown by an admitted route: a field that arrived in the path or
 * the query is located there; the route's (and its controller's) @IssueLocations refine the rest.
 */
export function locateRouteIssues(error: CoreError, req: AdmittedRequest, policy: RouteErrorPolicy): CoreError {
  if (!error.details.issues) return error;
  const where: Record<string, HttpLocation> = {};
  for (const k of Object.keys((req.query as object | undefined) ?? {})) where[k] = 'query';
  for (const k of Object.keys((req.params as object | undefined) ?? {})) where[k] = 'path';
  Object.assign(where, policy.declared);
  return locateIssues(error, where);
}
