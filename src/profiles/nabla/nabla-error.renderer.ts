import { CoreError, statusOf } from '../../common/errors';
import { ErrorRenderInput, ProfileErrorRenderer, RenderedError, retryHeaders } from '../../common/http/profile-registry';

/** Core field names -> the document's (in `field` and in messages, which name the field first). */
const FIELD_NAMES: Record<string, string> = { externalId: 'external_id' };
const wireName = (field: string) => FIELD_NAMES[field] ?? field;

/**
 * Nabla-style errors: `{"message","code","status","requestId"}`; a broken limit is 400 and also
 * names `field` and `limit`.
 */
export class NablaErrorRenderer implements ProfileErrorRenderer {
  render({ error, requestId }: ErrorRenderInput): RenderedError {
    const status = statusOf(error.code);
    const first = error.details.issues?.[0];
    const field = first && wireName(first.loc.filter((l) => l !== 'body' && l !== 'path' && l !== 'query').join('.'));
    const limit = first?.ctx?.limit;
    const headers = retryHeaders(error);
    return {
      status,
      headers,
      body: {
        message: this.message(error, requestId),
        code: error.code,
        status,
        requestId,
        ...(field ? { field } : {}),
        ...(typeof limit === 'number' ? { limit } : {}),
      },
    };
  }

  private message(e: CoreError, requestId: string): string {
    if (e.code === 'INTERNAL') return `Internal server error, reference ${requestId}`;
    if (e.code === 'VALIDATION')
      return (e.details.issues ?? []).map((i) => i.msg.replace(/^\w+/, (w) => wireName(w))).join('; ') || e.message;
    return e.message;
  }
}
