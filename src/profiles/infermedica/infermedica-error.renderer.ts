import { CoreError, statusOf, ValidationIssue } from '../../common/errors';
import { ErrorRenderInput, ProfileErrorRenderer, RenderedError, retryHeaders } from '../../common/http/profile-registry';

export const PYDANTIC_URL = 'https://errors.pydantic.dev/2.4/v';

/** An issue this profile raises itself, with the documentation link pydantic adds to some types. */
export interface PydanticIssue extends ValidationIssue {
  url?: string;
}

/** Types an issue built here as the core's (the `url` rides along to the renderer). */
export const pydanticIssue = (i: PydanticIssue): ValidationIssue => i;

/** A core issue as a pydantic error item (`url` only where pydantic would add one). */
export function toPydanticItem(i: PydanticIssue): Record<string, unknown> {
  return {
    type: i.type,
    loc: i.loc,
    msg: i.msg,
    input: i.input === undefined ? null : i.input,
    ...(i.ctx ? { ctx: i.ctx } : {}),
    ...(i.url ? { url: i.url } : {}),
  };
}

/**
 * FastAPI-style errors: 422 `{"detail":[pydantic items]}` for validation, `{"detail":"..."}` for
 * everything else; 409 for email/phone collisions says "Email and SMS must be unique".
 */
export class InfermedicaErrorRenderer implements ProfileErrorRenderer {
  render({ error }: ErrorRenderInput): RenderedError {
    const status = this.status(error);
    const headers = retryHeaders(error);
    return { status, headers, body: { detail: this.detail(error) } };
  }

  private status(e: CoreError): number {
    switch (e.code) {
      case 'VALIDATION':
      case 'BAD_REQUEST':
        return 422;
      default:
        return statusOf(e.code);
    }
  }

  private detail(e: CoreError): unknown {
    switch (e.code) {
      case 'VALIDATION':
        return (e.details.issues ?? []).map(toPydanticItem);
      case 'BAD_REQUEST':
        return [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: e.message } }];
      case 'DUPLICATE':
        return 'Email and SMS must be unique';
      case 'AUTH_REQUIRED':
        return 'Not authenticated';
      case 'BAD_CREDENTIALS':
        return 'Invalid authentication credentials';
      case 'NOT_FOUND':
        return 'User not found';
      case 'ROUTE_NOT_FOUND':
        return 'Not Found';
      case 'METHOD_NOT_ALLOWED':
        return 'Method Not Allowed';
      case 'INTERNAL':
        return 'Internal Server Error';
      default:
        return e.message;
    }
  }
}
