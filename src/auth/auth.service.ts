import type { DomainEventInput } from '../audit/domain-event';
import { Injectable } from '@nestjs/common';
import { CoreError, NotFoundError, UnauthorizedError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { ancestorsOfPath } from '../groups/group.entity';
import { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { AuthenticatedUser, CredentialsService } from './credentials.service';
import { PasswordPolicy } from '../credentials/password/password-policy';
import { SessionsService } from '../credentials/sessions/sessions.service';
import { TokenService } from './tokens/token.service';
import { SessionEntity } from '../credentials/sessions/session.entity';

export interface LoginResult {
  user: UserEntity;
  token: string;
  refreshToken?: string;
  sessionId: string;
}

/** Login, refresh, logout and invalidation: one session per login, tokens bound to it. */
@Injectable()
export class AuthService {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly users: UsersRepository,
    private readonly policy: PasswordPolicy,
  ) {}

  /** `username` may be `groupId/login`; `preferredGroupId` picks among several matching groups. */
  async login(
    username: string,
    password: string,
    opts: { preferredGroupId?: string; durationSeconds?: number } = {},
  ): Promise<LoginResult> {
    const auth = await this.credentials
      .authenticate(username, password, { preferredGroupId: opts.preferredGroupId })
      .catch((e: unknown) => {
        throw this.tooShort(e, password) ?? e;
      });
    // The session and the audit event of the login commit together: one write transaction (one fsync on SQLite).
    const session = await this.createSession(auth, {
      action: 'login.succeeded',
      subjectType: 'user',
      subjectId: auth.user.id,
      actor: auth.user.id,
    });
    return this.tokensOf(auth, session, opts.durationSeconds);
  }

  /**
   * iCure answers a login whose password is shorter than the policy minimum with 412. The check runs
   * after the credential check, so short app tokens and legacy short passwords still log in, the
   * attempt counts like any failure, and the answer does not depend on whether the login exists.
   */
  private tooShort(e: unknown, secret: string): CoreError | undefined {
    if (!(e instanceof UnauthorizedError) || e.code !== 'BAD_CREDENTIALS') return undefined;
    const password = secret.replace(/\|\d{6,8}$/, '');
    if ([...password].length >= this.policy.minLength) return undefined;
    return new CoreError('PASSWORD_TOO_SHORT', `The password is too short (minimum is ${this.policy.minLength} characters)`);
  }

  /** Would these credentials log in? Counts like a login attempt, opens no session. */
  async check(username: string, password: string): Promise<UserEntity> {
    return (await this.credentials.authenticate(username, password)).user;
  }

  async openSession(auth: AuthenticatedUser, durationSeconds?: number): Promise<LoginResult> {
    return this.tokensOf(auth, await this.createSession(auth), durationSeconds);
  }

  private createSession(auth: AuthenticatedUser, event?: DomainEventInput): Promise<SessionEntity> {
    const ctx = RequestContext.system(auth.user.groupId, auth.ancestorGroupIds);
    return this.sessions.create(
      ctx,
      auth.user.id,
      auth.matches.map((m) => `${m.groupId}/${m.id}`),
      event,
    );
  }

  /** Signed after the session's transaction committed (no signing inside a transaction). */
  private tokensOf(auth: AuthenticatedUser, session: SessionEntity, durationSeconds?: number): LoginResult {
    const ttl = durationSeconds === undefined ? undefined : Math.max(60, Math.min(durationSeconds, this.tokens.accessTtlSeconds));
    return {
      user: auth.user,
      sessionId: session.id,
      token: this.tokens.signAccess({ ...CredentialsService.principalOf(auth, 'jwt'), sessionId: session.id }, ttl),
      refreshToken: this.tokens.signRefresh({
        userId: auth.user.id,
        groupId: auth.user.groupId,
        sessionId: session.id,
        expiresAt: session.expiresAt,
      }),
    };
  }

  /** A new access token for the refresh token's live session; the refresh token stays valid. */
  async refresh(refreshToken: string | undefined): Promise<LoginResult> {
    const claims = this.tokens.verifyRefresh(refreshToken);
    // The user, its live group chain and the session, in one statement (by primary keys).
    const found = await this.users.findWithGroupPath(RequestContext.system(claims.grp), claims.sub, claims.sid);
    const auth = this.activeOf(found);
    this.sessions.assertLive(found?.session, claims.sid, claims.sub);
    return {
      user: auth.user,
      sessionId: claims.sid,
      token: this.tokens.signAccess({ ...CredentialsService.principalOf(auth, 'jwt'), sessionId: claims.sid }),
    };
  }

  /**
   * Tokens for the same person in another group its login matched (POST /auth/switch/{groupId}):
   * the refresh token's session must be live and list that group among its matches.
   */
  async switchGroup(refreshToken: string | undefined, groupId: string): Promise<LoginResult> {
    const claims = this.tokens.verifyRefresh(refreshToken);
    const session = await this.sessions.requireLive(RequestContext.system(claims.grp), claims.sid, claims.sub);
    const matches = (session.matchedUserIds ?? `${claims.grp}/${claims.sub}`).split(',');
    const target = matches.find((m) => m.startsWith(`${groupId}/`));
    if (!target) throw new NotFoundError('Matching user in group', groupId);
    const auth = await this.loadActive(groupId, target.slice(groupId.length + 1));
    const others = await Promise.all(matches.filter((m) => m !== target).map((m) => this.findMatch(m)));
    return this.openSession({ ...auth, matches: [auth.user, ...others.filter((u): u is UserEntity => !!u)] });
  }

  /** The (group, user) pairs the caller's login matched, the current one first. */
  async matchesOf(ctx: RequestContext): Promise<UserEntity[]> {
    const session = ctx.user.sessionId ? await this.sessions.find(ctx, ctx.user.sessionId) : null;
    const pairs = (session?.matchedUserIds ?? `${ctx.groupId}/${ctx.userId}`).split(',');
    const users = await Promise.all(pairs.map((m) => this.findMatch(m)));
    return users.filter((u): u is UserEntity => !!u);
  }

  /** One `groupId/userId` pair a login matched: the person's user in another group. */
  private findMatch(pair: string): Promise<UserEntity | null> {
    const groupId = pair.split('/')[0];
    return this.users.findOneInGroup(RequestContext.crossTenant('login-matches', { groupId }), pair.slice(pair.indexOf('/') + 1));
  }

  /** Ends the session of a refresh token (POST /auth/invalidate). */
  async invalidate(refreshToken: string | undefined): Promise<void> {
    const claims = this.tokens.verifyRefresh(refreshToken);
    await this.sessions.revoke(RequestContext.system(claims.grp), claims.sid, 'invalidate');
  }

  /** Ends the caller's session (bearer) — Basic callers have none, which is fine. */
  async logout(ctx: RequestContext): Promise<void> {
    const sid = ctx.user.sessionId;
    if (sid) await this.sessions.revoke(ctx, sid, 'logout');
  }

  /** The user and group chain behind a token, only while the user is active (one query: user and live group). */
  async loadActive(groupId: string, userId: string): Promise<{ user: UserEntity; ancestorGroupIds: string[]; matches: UserEntity[] }> {
    return this.activeOf(await this.users.findWithGroupPath(RequestContext.system(groupId), userId));
  }

  private activeOf(found: { user: UserEntity; groupPath: string } | null): {
    user: UserEntity;
    ancestorGroupIds: string[];
    matches: UserEntity[];
  } {
    if (!found || found.user.status !== 'ACTIVE') throw new UnauthorizedError('BAD_CREDENTIALS', 'User is no longer active');
    return { user: found.user, ancestorGroupIds: ancestorsOfPath(found.groupPath), matches: [found.user] };
  }
}
