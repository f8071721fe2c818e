import { DomainEventsService } from '../../audit/domain-events.service';
import type { DomainEventInput } from '../../audit/domain-event';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { UnauthorizedError } from '../../common/errors';
import { newId } from '../../common/ids';
import { RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';
import { SessionEntity } from './session.entity';
import { RevocationCache } from './revocation-cache';
import { SessionsRepository } from './sessions.repository';

export type RevokeReason = 'logout' | 'invalidate' | 'disabled' | 'deleted' | 'password_reset' | 'password_change' | 'cancelled';

/** Login sessions: created at login, checked on refresh, ended by logout, invalidate, disable, delete. */
@Injectable()
export class SessionsService implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionsRepository,
    private readonly cache: RevocationCache,
    private readonly clock: Clock,
    private readonly events: DomainEventsService,
    private readonly tx: TransactionRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const since = this.clock.now() - (this.config.jwt.accessTtlSeconds + 10) * 1000;
    for (const id of await this.sessions.recentlyRevokedAcrossGroups(RequestContext.crossTenant('revocations'), since))
      this.cache.remember(id);
  }

  /**
   * `ctx` is the group of the user the session is for. `event` (the login's audit event) commits in
   * the same transaction as the session: one write, one fsync on SQLite, and never one without the other.
   */
  async create(ctx: RequestContext, userId: string, matchedUserIds: string[] = [], event?: DomainEventInput): Promise<SessionEntity> {
    const now = this.clock.now();
    const s = Object.assign(new SessionEntity(), {
      id: newId(),
      userId,
      createdAt: now,
      expiresAt: now + this.config.jwt.refreshTtlSeconds * 1000,
      revokedAt: null,
      revokedReason: null,
      matchedUserIds: matchedUserIds.length ? matchedUserIds.join(',') : null,
    });
    await this.tx.run(ctx, async (t) => {
      await this.sessions.insert(t, s);
      if (event) await this.events.record(t, event);
    });
    return s;
  }

  /** A live session of the context's group, else 401. */
  async requireLive(ctx: RequestContext, id: string, userId: string): Promise<SessionEntity> {
    const s = await this.sessions.findOneInGroup(ctx, id);
    this.assertLive(s, id, userId);
    return s;
  }

  /**
   * The liveness rule, for a session row read here or with its user (a token refresh reads both in
   * one statement): it exists, belongs to `userId`, is neither revoked (in the database or in this
   * process's revocation cache) nor expired; else 401.
   */
  assertLive<S extends Pick<SessionEntity, 'userId' | 'revokedAt' | 'expiresAt'>>(
    s: S | null | undefined,
    id: string,
    userId: string,
  ): asserts s is S {
    if (!s || s.userId !== userId || s.revokedAt !== null || s.expiresAt <= this.clock.now() || this.cache.isRevoked(id)) {
      throw new UnauthorizedError('BAD_CREDENTIALS', 'Session is no longer valid');
    }
  }

  find(ctx: RequestContext, id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneInGroup(ctx, id);
  }

  isRevoked(sessionId: string): boolean {
    return this.cache.isRevoked(sessionId);
  }

  async revoke(ctx: RequestContext, sessionId: string, reason: RevokeReason): Promise<void> {
    this.cache.revoke([sessionId]);
    await this.sessions.revoke(ctx, { id: sessionId }, reason, this.clock.now());
    await this.events.record(ctx, { action: 'session.revoked', subjectType: 'session', subjectId: sessionId, fields: ['revokedAt'] });
  }

  /** Ends every session of a user (optionally but one); their access tokens fail at once here. */
  async revokeAllForUser(ctx: RequestContext, userId: string, reason: RevokeReason, exceptSessionId?: string): Promise<number> {
    const ids = await this.sessions.revoke(ctx, { userId, exceptId: exceptSessionId }, reason, this.clock.now());
    this.cache.revoke(ids);
    return ids.length;
  }

  /** The user's roles, permissions, status or password changed: principals cached before are stale. */
  securityChanged(ctx: RequestContext, userId: string, version: number): void {
    this.cache.securityChanged(ctx.groupId, userId, version);
  }

  async purgeForUser(ctx: RequestContext, userId: string): Promise<void> {
    await this.revokeAllForUser(ctx, userId, 'deleted');
    await this.sessions.deleteForUser(ctx, userId);
  }

  /** Access tokens of every session of whole groups fail at once (a deleted subtree). */
  async revokeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    this.cache.revoke(await this.sessions.idsOfGroups(ctx, groupIds));
    this.cache.groupsEnded(groupIds);
  }

  purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    return this.sessions.purgeGroups(ctx, groupIds);
  }
}
