import { statusOf } from '../../common/errors';
import { ErrorRenderInput, ProfileErrorRenderer, RenderedError, retryHeaders } from '../../common/http/profile-registry';

/**
 * Native (iCure-style) errors: `{"message","code","status","requestId"}` plus `issues` for
 * validation. Status codes follow iCure's contract (section 8.1).
 */
export class NativeErrorRenderer implements ProfileErrorRenderer {
  render({ error, requestId }: ErrorRenderInput): RenderedError {
    const status = statusOf(error.code);
    const headers = retryHeaders(error);
    return {
      status,
      headers,
      body: {
        message: error.code === 'INTERNAL' ? `Internal server error, reference ${requestId}` : error.message,
        code: error.code,
        status,
        requestId,
        ...(error.details.issues ? { issues: error.details.issues.map(({ loc, type, msg }) => ({ field: loc.filter((l) => l !== 'body').join('.'), code: type, message: msg })) } : {}),
      },
    };
  }
}
