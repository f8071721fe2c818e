import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { GroupEntity } from '../groups/group.entity';
import { GroupsService } from '../groups/groups.service';
import { UserEntity } from './user.entity';
import { UserTokensService } from './user-tokens.service';
import { UsersRepository } from './users.repository';

export interface UserGroupView {
  groupId: string;
  groupName: string;
  groupsHierarchy: { id: string; name: string; superGroup?: string }[];
  userId: string;
  login?: string;
  name?: string;
  email?: string;
  phone?: string;
  patientId?: string;
  healthcarePartyId?: string;
  deviceId?: string;
  nameOfParentOfTopmostGroupInHierarchy?: string;
}

/** A person across groups: the UserGroup view and tokens in every group it may act in. */
@Injectable()
export class UserGroupsService {
  constructor(
    private readonly groups: GroupsService,
    private readonly users: UsersRepository,
    private readonly tokens: UserTokensService,
  ) {}

  async describe(ctx: RequestContext, matches: UserEntity[]): Promise<UserGroupView[]> {
    const groupIds = new Set<string>();
    const groupOf = new Map<string, GroupEntity>();
    for (const g of await this.groups.findByIds(ctx, [...new Set(matches.map((m) => m.groupId))])) groupOf.set(g.id, g);
    for (const g of groupOf.values()) g.ancestorIds.forEach((a) => groupIds.add(a));
    for (const g of await this.groups.findByIds(ctx, [...groupIds])) groupOf.set(g.id, g);
    return matches
      .filter((m) => groupOf.has(m.groupId))
      .map((m) => {
        const g = groupOf.get(m.groupId)!;
        const hierarchy = g.ancestorIds.map((id) => groupOf.get(id)).filter((x): x is GroupEntity => !!x);
        const opt = <T>(v: T | null) => (v === null ? undefined : v);
        return {
          groupId: g.id,
          groupName: g.name,
          groupsHierarchy: hierarchy.map((h) => ({ id: h.id, name: h.name, ...(h.superGroupId ? { superGroup: h.superGroupId } : {}) })),
          userId: m.id,
          login: opt(m.login),
          name: opt(m.name),
          email: opt(m.email),
          phone: opt(m.mobilePhone),
          patientId: opt(m.patientId),
          healthcarePartyId: opt(m.healthcarePartyId),
          deviceId: opt(m.deviceId),
          nameOfParentOfTopmostGroupInHierarchy: hierarchy[0]?.name ?? g.name,
        };
      });
  }

  /**
   * One token per group where `identifier` names a user the caller may act for: its own matched
   * users, or users of groups it administers. Nothing to act for: 404.
   */
  async tokensInAllGroups(ctx: RequestContext, matches: UserEntity[], identifier: string, key: string, validity?: number, chosen?: string): Promise<{ token: string; groupId: string; groupName: string }[]> {
    const candidates = await this.users.findLoginCandidatesAcrossGroups(ctx, identifier);
    const out: { token: string; groupId: string; groupName: string }[] = [];
    for (const c of candidates) {
      const own = matches.find((m) => m.groupId === c.groupId && m.id === c.id);
      let gctx: RequestContext | undefined;
      if (own) gctx = RequestContext.authenticated({ ...ctx.user, userId: c.id, groupId: c.groupId, roles: c.roles ?? [], ancestorGroupIds: [] });
      else gctx = await this.groups.actInGroup(ctx, c.groupId).catch((e: unknown) => (e instanceof ForbiddenError || e instanceof NotFoundError ? undefined : Promise.reject(e)));
      if (!gctx) continue;
      const group = await this.groups.findById(ctx, c.groupId);
      const { token } = await this.tokens.issue(gctx, c.id, key, validity, chosen);
      out.push({ token, groupId: c.groupId, groupName: group?.name ?? c.groupId });
    }
    if (!out.length) throw new NotFoundError('User', identifier);
    return out;
  }
}
