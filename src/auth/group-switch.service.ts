import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../common/errors';
import { ADMINISTRATOR, RequestContext } from '../common/request-context';
import { GroupEntity } from '../groups/group.entity';
import { GroupsService } from '../groups/groups.service';
import { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { AppTokensService } from './app-tokens/app-tokens.service';
import { AuthService, LoginResult } from './auth.service';
import { SessionsService } from './sessions/sessions.service';
import { TokenService } from './tokens/token.service';

export interface UserGroupView {
  groupId: string;
  groupName: string;
  groupsHierarchy: GroupEntity[];
  user: UserEntity;
  nameOfParentOfTopmostGroupInHierarchy?: string;
}

interface Match {
  groupId: string;
  userId: string;
}

function parseMatches(s: string | null | undefined): Match[] {
  return (s ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => {
      const slash = m.indexOf('/');
      return { groupId: m.slice(0, slash), userId: m.slice(slash + 1) };
    })
    .filter((m) => m.groupId && m.userId);
}

/**
 * Multi-group identity: the (group, user) pairs a login matched are stored on the session
 * (`matchedUserIds`). They feed /user/matches, /auth/switch/{groupId} and
 * /user/inAllGroups/token. A Basic-authenticated caller has no session: its matches are itself.
 */
@Injectable()
export class GroupSwitchService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersRepository,
    private readonly groups: GroupsService,
    private readonly auth: AuthService,
    private readonly tokens: TokenService,
    private readonly appTokens: AppTokensService,
  ) {}

  private async matchesOf(ctx: RequestContext): Promise<Match[]> {
    const self = { groupId: ctx.groupId, userId: ctx.userId };
    const sid = ctx.user.sessionId;
    const session = sid ? await this.sessions.find(ctx, sid) : null;
    const listed = parseMatches(session?.matchedUserIds);
    return listed.some((m) => m.groupId === self.groupId && m.userId === self.userId) ? listed : [self, ...listed];
  }

  /** Every live (group, user) the caller's credentials matched, with the group hierarchy. */
  async matches(ctx: RequestContext): Promise<UserGroupView[]> {
    const out: UserGroupView[] = [];
    for (const m of await this.matchesOf(ctx)) {
      const sys = RequestContext.system(m.groupId);
      const [user, group] = [await this.users.findOneInGroup(sys, m.userId), await this.groups.findById(sys, m.groupId)];
      if (!user || !group || user.status !== 'ACTIVE') continue;
      const ancestors = await this.groups.findByIds(sys, group.ancestorIds);
      const ordered = group.ancestorIds.map((id) => ancestors.find((a) => a.id === id)).filter((a): a is GroupEntity => !!a);
      const topmost = ordered[0] ?? group;
      const aboveTop = topmost.superGroupId ? await this.groups.findById(sys, topmost.superGroupId) : null;
      out.push({
        groupId: group.id,
        groupName: group.name,
        groupsHierarchy: ordered,
        user,
        nameOfParentOfTopmostGroupInHierarchy: aboveTop?.name,
      });
    }
    return out;
  }

  /**
   * New tokens for the same person in another group its login matched. The refresh token must
   * belong to a live session (401); a group outside the matches is 404.
   */
  async switchGroup(refreshToken: string | undefined, groupId: string): Promise<LoginResult> {
    const claims = this.tokens.verifyRefresh(refreshToken);
    const session = await this.sessions.requireLive(RequestContext.system(claims.grp), claims.sid, claims.sub);
    const matches = parseMatches(session.matchedUserIds);
    if (!matches.some((m) => m.groupId === claims.grp && m.userId === claims.sub)) matches.unshift({ groupId: claims.grp, userId: claims.sub });
    const target = matches.find((m) => m.groupId === groupId);
    if (!target) throw new NotFoundError(`Group ${groupId} is not among the groups your login matched`);
    const active = await this.auth.loadActive(target.groupId, target.userId).catch(() => {
      throw new UnauthorizedError('BAD_CREDENTIALS', 'Your user in that group is no longer active');
    });
    const ordered = [target, ...matches.filter((m) => m !== target)].map((m) => Object.assign(new UserEntity(), { id: m.userId, groupId: m.groupId }));
    return this.auth.openSession({ user: active.user, ancestorGroupIds: active.ancestorGroupIds, matches: ordered });
  }

  /**
   * One app token per group the caller's identity matched where `userIdentifier` (id, login,
   * email, phone) names a user the caller may mint for: itself, or anyone when the caller's user
   * in that group is an ADMINISTRATOR. 404 if no such user in any matched group; 403 if found but
   * never allowed.
   */
  async tokensInAllGroups(ctx: RequestContext, userIdentifier: string, key: string, validitySeconds: number, chosen?: string): Promise<{ token: string; groupId: string; groupName: string }[]> {
    if (!key || key.length > 255) throw new ValidationError([{ loc: ['path', 'key'], type: 'value_error', msg: 'key must be 1 to 255 characters', input: key }]);
    const out: { token: string; groupId: string; groupName: string }[] = [];
    let found = false;
    for (const m of await this.matchesOf(ctx)) {
      const group = await this.groups.findById(RequestContext.system(m.groupId), m.groupId);
      if (!group) continue;
      const gctx = RequestContext.system(group.id, group.ancestorIds);
      const caller = await this.users.findOneInGroup(gctx, m.userId);
      if (!caller || caller.status !== 'ACTIVE') continue;
      const target = await this.users.findByIdentifier(gctx, userIdentifier);
      if (!target) continue;
      found = true;
      if (target.id !== caller.id && !(caller.roles ?? []).includes(ADMINISTRATOR)) continue;
      out.push({ token: await this.appTokens.issue(gctx, target.id, key, validitySeconds, chosen), groupId: group.id, groupName: group.name });
    }
    if (!found) throw new NotFoundError('User', userIdentifier);
    if (!out.length) throw new ForbiddenError('You may only create tokens for yourself, or as an administrator of the group');
    return out;
  }
}
