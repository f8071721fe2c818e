import { ErrorCode, statusOf } from '../../common/errors';
import { ErrorRenderInput, ProfileErrorRenderer, RenderedError, retryHeaders } from '../../common/http/profile-registry';

/** Failed authentications: iCure answers them as an AuthenticationResponse, `{"successful":false}`. */
const AUTHENTICATION_FAILURES = new Set<ErrorCode>(['BAD_CREDENTIALS', 'PASSWORD_TOO_SHORT', 'TWO_FACTOR_REQUIRED', 'TWO_FACTOR_INVALID']);

/**
 * Native (iCure-style) errors: `{"message","code","status","requestId"}` plus `issues` for
 * validation, and `successful: false` when authentication failed. Status codes follow iCure's
 * contract (section 8.1).
 */
export class NativeErrorRenderer implements ProfileErrorRenderer {
  render({ error, requestId }: ErrorRenderInput): RenderedError {
    const status = statusOf(error.code);
    const headers = retryHeaders(error);
    return {
      status,
      headers,
      body: {
        ...(AUTHENTICATION_FAILURES.has(error.code) ? { successful: false } : {}),
        message: error.code === 'INTERNAL' ? `Internal server error, reference ${requestId}` : error.message,
        code: error.code,
        status,
        requestId,
        ...(error.details.issues
          ? {
              issues: error.details.issues.map(({ loc, type, msg }) => ({
                field: loc.filter((l) => l !== 'body').join('.'),
                code: type,
                message: msg,
              })),
            }
          : {}),
      },
    };
  }
}
