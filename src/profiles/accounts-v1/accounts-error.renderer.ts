import { CoreError, statusOf, ValidationIssue } from '../../common/errors';
import { ErrorRenderInput, ProfileErrorRenderer, RenderedError, retryHeaders } from '../../common/http/profile-registry';

/** Core field names -> the document's. */
export const FIELD_NAMES: Record<string, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  mobilePhone: 'phone',
  dateOfBirth: 'date_of_birth',
  nativeSignup: 'native_signup',
  login: 'email',
  userId: 'user_id',
  confirmationCode: 'confirmation_code',
};

function railsMessage(i: ValidationIssue): string {
  switch (i.type) {
    case 'missing':
      return "can't be blank";
    case 'too_short':
      return `is too short (minimum is ${typeof i.ctx?.min_length === 'number' ? i.ctx.min_length : '?'} characters)`;
    case 'too_long':
      return 'is too long';
    case 'common':
      return 'is too common';
    default:
      return 'is invalid';
  }
}

/** Rails-style errors: 422 `{"errors":{"field":["msg"]}}`, otherwise `{"errors":"msg"}`. */
export class AccountsErrorRenderer implements ProfileErrorRenderer {
  render({ error, requestId }: ErrorRenderInput): RenderedError {
    const headers = retryHeaders(error);
    const { status, errors } = this.shape(error, requestId);
    return { status, headers, body: { errors } };
  }

  private shape(e: CoreError, requestId: string): { status: number; errors: unknown } {
    switch (e.code) {
      case 'VALIDATION': {
        const out: Record<string, string[]> = {};
        for (const i of e.details.issues ?? []) {
          const raw = String(i.loc.filter((l) => !['body', 'query', 'path', 'header'].includes(String(l))).join('.') || 'base');
          const field = FIELD_NAMES[raw] ?? raw;
          const msg = railsMessage(i);
          const messages = (out[field] ??= []);
          if (!messages.includes(msg)) messages.push(msg);
        }
        return { status: 422, errors: out };
      }
      case 'DUPLICATE': {
        const out: Record<string, string[]> = {};
        for (const f of e.details.fields ?? ['base']) out[FIELD_NAMES[f] ?? f] = ['has already been taken'];
        return { status: 422, errors: out };
      }
      case 'NOT_FOUND':
        return { status: 404, errors: 'User not found' };
      case 'INVALID_CODE':
        return { status: 401, errors: 'Invalid Code' };
      case 'INTERNAL':
        return { status: 500, errors: `Internal server error, reference ${requestId}` };
      default:
        return { status: statusOf(e.code), errors: e.message };
    }
  }
}
