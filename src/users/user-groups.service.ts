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
   * One token per group where the caller may act for the user `identifier` names, as inGroup
   * does: for each (group, user) the caller's login matched, that group itself (as that user) and,
   * for an administrator, every live group below it. Other tenants stay invisible: none found is
   * 404, found but none allowed (a plain user naming someone else) 403.
   */
  async tokensInAllGroups(
    ctx: RequestContext,
    matches: UserEntity[],
    identifier: string,
    key: string,
    validity?: number,
    chosen?: string,
  ): Promise<{ token: string; groupId: string; groupName: string }[]> {
    const out: { token: string; groupId: string; groupName: string }[] = [];
    const done = new Set<string>();
    let found = 0;
    for (const me of matches) {
      const asMe = RequestContext.crossTenant('login-matches', {
        ...ctx.user,
        userId: me.id,
        groupId: me.groupId,
        roles: me.roles ?? [],
        ancestorGroupIds: [],
      });
      const home = await this.groups.findById(asMe, me.groupId);
      if (!home) continue;
      const reach = asMe.isAdmin ? await this.groups.liveSubtree(asMe, home) : [home];
      for (const g of reach) {
        const inG = asMe.inGroup(g.id, g.ancestorIds);
        const target = await this.users.findByIdentifier(inG, identifier);
        if (!target) continue;
        found++;
        if (done.has(g.id)) continue;
        if (target.id !== me.id && !asMe.isAdmin) continue;
        done.add(g.id);
        const { token } = await this.tokens.issue(inG, target.id, key, validity, chosen);
        out.push({ token, groupId: g.id, groupName: g.name });
      }
    }
    if (!found) throw new NotFoundError('User', identifier);
    if (!out.length) throw new ForbiddenError(`You may not issue tokens for ${identifier} in any of your groups`);
    return out;
  }
}
