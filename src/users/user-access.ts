import { ForbiddenError } from '../common/errors';
import { RequestContext } from '../common/request-context';

/** A user acts on itself; an administrator (of the context's group) on anyone in it. */
export function assertSelfOrAdmin(ctx: RequestContext, userId: string, what = 'this user'): void {
  if (!ctx.isAdmin && ctx.userId !== userId) throw new ForbiddenError(`Only ${what} or an administrator may do this`);
}
