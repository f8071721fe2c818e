import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ForbiddenError, NotFoundError } from '../common/errors';
import { nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { GroupEntity } from './group.entity';
import { GroupsRepository } from './groups.repository';

@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly clock: Clock,
  ) {}

  findRoot(ctx: RequestContext): Promise<GroupEntity | null> {
    return this.groups.findRoot(ctx);
  }

  /** A group the caller may see: its own group or a descendant of it. Other tenants are 404. */
  async getVisible(ctx: RequestContext, id: string): Promise<GroupEntity> {
    return NotFoundError.assert(await this.groups.findInSubtree(ctx, ctx.groupId, id), 'Group', id);
  }

  /**
   * The context for acting in `groupId` on an `inGroup/{groupId}` route: allowed for an
   * ADMINISTRATOR of that group or of one of its ancestors; otherwise 403. Unknown group: 404.
   */
  async actInGroup(ctx: RequestContext, groupId: string): Promise<RequestContext> {
    const target = NotFoundError.assert(await this.groups.findById(ctx, groupId), 'Group', groupId);
    const administers = ctx.isAdmin && (target.id === ctx.groupId || target.ancestorIds.includes(ctx.groupId));
    if (!administers) throw new ForbiddenError(`You are not an administrator of group ${groupId} or of one of its ancestors`);
    return ctx.inGroup(target.id, target.ancestorIds);
  }

  findById(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    return this.groups.findById(ctx, id);
  }

  findByIds(ctx: RequestContext, ids: string[]): Promise<GroupEntity[]> {
    return this.groups.findByIds(ctx, ids);
  }

  /** Creates the root group (bootstrap) or a child of `parent`. */
  async createGroup(ctx: RequestContext, input: { id: string; name: string; parent?: GroupEntity; superAdmin?: boolean; type?: string }): Promise<GroupEntity> {
    const now = this.clock.now();
    const g = Object.assign(new GroupEntity(), {
      id: input.id,
      rev: nextRev(),
      name: input.name,
      superGroupId: input.parent?.id ?? null,
      path: `${input.parent?.path ?? '/'}${input.id}/`,
      type: input.type ?? null,
      superAdmin: input.superAdmin ?? false,
      properties: [],
      tags: [],
      defaultUserRoles: null,
      created: now,
      modified: now,
      deletionDate: null,
    });
    return this.groups.insert(ctx, g);
  }
}
