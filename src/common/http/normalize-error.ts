import { HttpException } from '@nestjs/common';
import { CoreError, ErrorCode, ValidationError } from '../errors';
import { fieldOfColumn, isDatabaseUnavailable, isUnstorableCharacter, notNullViolationColumn, uniqueViolationColumns } from '../db-errors';

/** What a 503 tells clients to wait before retrying an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 2;

/**
 * Turns anything thrown (core errors, Nest HTTP exceptions, Fastify parser errors, driver errors)
 * into a CoreError. Unknown errors become INTERNAL, whose message is never shown to clients.
 */
export function normalizeError(err: unknown): CoreError {
  if (err instanceof CoreError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const detail = typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
    // Nest's own exceptions carry a string, or a list of strings for its validation pipe.
    const msg = typeof detail === 'string' ? detail : Array.isArray(detail) ? detail.join(',') : err.message;
    return new CoreError(codeForStatus(status), status === 404 ? 'Route not found' : msg);
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('FST_')) {
    switch (e.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new CoreError('PAYLOAD_TOO_LARGE', 'Request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new CoreError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Type');
      case 'FST_ERR_BAD_URL':
        return new CoreError('BAD_REQUEST', 'Malformed URL');
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return new CoreError('URI_TOO_LONG', 'A path parameter is too long');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new CoreError('BAD_REQUEST', 'Malformed JSON body');
      default:
        if (e.statusCode && e.statusCode < 500) return new CoreError(codeForStatus(e.statusCode), 'Bad request');
    }
  }
  if (err instanceof SyntaxError || (e?.statusCode === 400 && /JSON/i.test(e.message ?? '')))
    return new CoreError('BAD_REQUEST', 'Malformed JSON body');
  if (uniqueViolationColumns(err)) return new CoreError('DUPLICATE', 'A record with these values already exists');
  if (isDatabaseUnavailable(err))
    return new CoreError('SERVICE_UNAVAILABLE', 'The database is unavailable, retry later', {
      retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS,
    });
  // Safety nets: the validators should have refused these, but a client value is never a 500.
  const column = notNullViolationColumn(err);
  if (column) {
    const field = fieldOfColumn(column);
    return new ValidationError([{ loc: ['body', field], type: 'missing', msg: `${field} must not be null` }]);
  }
  if (isUnstorableCharacter(err)) return new CoreError('BAD_REQUEST', 'The request contains characters that cannot be stored');
  return new CoreError('INTERNAL', 'Internal server error');
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'AUTH_REQUIRED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'ROUTE_NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 409:
      return 'CONFLICT';
    case 408:
      return 'REQUEST_TIMEOUT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 414:
      return 'URI_TOO_LONG';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'UNPROCESSABLE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 431:
      return 'HEADERS_TOO_LARGE';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
  }
}
