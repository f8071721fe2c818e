/**
 * Coded core errors. Services throw these; each API profile's filter maps a code to its own
 * status and wire shape with an exhaustive switch (see `statusOf` for the native default).
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'BAD_REQUEST'
  | 'AUTH_REQUIRED'
  | 'BAD_CREDENTIALS'
  | 'INVALID_CODE'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ROUTE_NOT_FOUND'
  | 'CONFLICT'
  | 'STALE_REVISION'
  | 'DUPLICATE'
  | 'PAYLOAD_TOO_LARGE'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE'
  | 'PASSWORD_TOO_SHORT'
  | 'TWO_FACTOR_REQUIRED'
  | 'TWO_FACTOR_INVALID'
  | 'TOO_MANY_REQUESTS'
  | 'NOT_IMPLEMENTED'
  | 'SERVICE_UNAVAILABLE'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL';

export interface ValidationIssue {
  /**
   * Path of the offending field in the input, e.g. ['email'] or ['users', 0, 'roles'] ([] for the
   * input as a whole). The core never says where a field travels on the wire: the HTTP layer
   * prefixes 'body', 'query', 'path' or 'header' (common/http/issue-locations.ts) before a profile
   * renders it.
   */
  loc: (string | number)[];
  /** Machine code, e.g. 'value_error', 'missing', 'uuid_parsing', 'too_long'. */
  type: string;
  /** Human message. */
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

/** The default message of a validation error: `field.path: message` per issue. */
export function validationMessage(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.loc.filter((l) => l !== 'body').join('.')}: ${i.msg}`).join('; ');
}

export class CoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      issues?: ValidationIssue[];
      retryAfterSeconds?: number;
      /** For DUPLICATE: which fields collided (e.g. ['email']). */
      fields?: string[];
    } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends CoreError {
  constructor(
    readonly issues: ValidationIssue[],
    message = validationMessage(issues),
  ) {
    super('VALIDATION', message || 'Invalid input', { issues });
  }

  static field(field: string, msg: string, input?: unknown, type = 'value_error'): ValidationError {
    return new ValidationError([{ loc: [field], type, msg, input }]);
  }
}

export class BadRequestError extends CoreError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

export class NotFoundError extends CoreError {
  constructor(what: string, id?: string) {
    super('NOT_FOUND', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }

  /** Keeps services flat: `const u = NotFoundError.assert(await repo.find(...), 'User', id)`. */
  static assert<T>(value: T | null | undefined, what: string, id?: string): T {
    if (value === null || value === undefined) throw new NotFoundError(what, id);
    return value;
  }
}

export class ForbiddenError extends CoreError {
  constructor(message = 'You are not allowed to perform this operation') {
    super('FORBIDDEN', message);
  }
}

export class UnauthorizedError extends CoreError {
  constructor(
    code: 'AUTH_REQUIRED' | 'BAD_CREDENTIALS' | 'INVALID_CODE' = 'AUTH_REQUIRED',
    message = code === 'AUTH_REQUIRED' ? 'Authentication required' : 'Invalid credentials',
  ) {
    super(code, message);
  }
}

export class ConflictError extends CoreError {
  constructor(code: 'CONFLICT' | 'STALE_REVISION' | 'DUPLICATE', message: string, fields?: string[]) {
    super(code, message, { fields });
  }

  static staleRevision(what: string, id: string): ConflictError {
    return new ConflictError('STALE_REVISION', `Outdated revision of ${what} ${id}`);
  }
}

export class TooManyRequestsError extends CoreError {
  constructor(retryAfterSeconds: number, message = 'Too many requests, retry later') {
    super('TOO_MANY_REQUESTS', message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

export class UnprocessableError extends CoreError {
  constructor(message: string) {
    super('UNPROCESSABLE', message);
  }
}

export class NotImplementedError extends CoreError {
  constructor(message: string) {
    super('NOT_IMPLEMENTED', message);
  }
}

export class ServiceUnavailableError extends CoreError {
  constructor(message: string) {
    super('SERVICE_UNAVAILABLE', message);
  }
}

/** Default HTTP status of each code; profiles may render differently but start here. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
    case 'BAD_REQUEST':
      return 400;
    case 'AUTH_REQUIRED':
    case 'BAD_CREDENTIALS':
    case 'INVALID_CODE':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'ROUTE_NOT_FOUND':
      return 404;
    case 'METHOD_NOT_ALLOWED':
      return 405;
    case 'TWO_FACTOR_INVALID':
      return 406;
    case 'CONFLICT':
    case 'STALE_REVISION':
    case 'DUPLICATE':
      return 409;
    case 'PASSWORD_TOO_SHORT':
      return 412;
    case 'REQUEST_TIMEOUT':
      return 408;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'URI_TOO_LONG':
      return 414;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'TWO_FACTOR_REQUIRED':
      return 417;
    case 'UNPROCESSABLE':
      return 422;
    case 'TOO_MANY_REQUESTS':
      return 429;
    case 'HEADERS_TOO_LARGE':
      return 431;
    case 'INTERNAL':
      return 500;
    case 'NOT_IMPLEMENTED':
      return 501;
    case 'SERVICE_UNAVAILABLE':
      return 503;
    default: {
      const never: never = code;
      return never;
    }
  }
}
