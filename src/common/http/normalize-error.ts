import { HttpException } from '@nestjs/common';
import { CoreError, ErrorCode } from '../errors';
import { uniqueViolationColumns } from '../db-errors';

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
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'UNPROCESSABLE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'SERVICE_UNAVAILABLE';
    default:
      return status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
  }
}
