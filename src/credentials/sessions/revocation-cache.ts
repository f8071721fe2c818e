import { Inject, Injectable, Logger, Optional, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';

/**
 * What the tokens and cached credentials of this process must be checked against, held in
 * process so that checking a bearer token needs no database round trip:
 * - revoked session ids, until every access token of the session has expired;
 * - the latest security version of users whose roles, permissions, status or password changed
 *   recently, so that a principal cached with an older version is reloaded on its next request.
 * Changes made by this instance land here at once; with REDIS_URL they are also published to the
 * other instances (channels `<prefix>session-revoked` and `<prefix>user-security`).
 */
@Injectable()
export class RevocationCache implements OnModuleInit, OnApplicationShutdown {
  private readonly revoked = new Map<string, number>();
  private readonly versions = new Map<string, { version: number; until: number }>();
  private readonly endedGroups = new Map<string, number>();
  private readonly listeners: ((userKey: string) => void)[] = [];
  private pub?: Redis;
  private sub?: Redis;
  private readonly log = new Logger('RevocationCache');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  private get sessionChannel(): string {
    return `${this.config.redisPrefix}session-revoked`;
  }

  private get userChannel(): string {
    return `${this.config.redisPrefix}user-security`;
  }

  private get groupChannel(): string {
    return `${this.config.redisPrefix}group-ended`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false } as const;
    this.pub = new Redis(this.config.redisUrl, opts);
    this.sub = new Redis(this.config.redisUrl, opts);
    for (const c of [this.pub, this.sub]) c.on('error', (e) => this.log.warn(`redis: ${e.message}`));
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    await this.sub.subscribe(this.sessionChannel, this.userChannel, this.groupChannel);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === this.sessionChannel) {
        this.metrics?.revocation('remote');
        this.remember(message);
      } else if (channel === this.groupChannel) this.rememberGroupEnded(message);
      else if (channel === this.userChannel) {
        const sep = message.lastIndexOf('#');
        const version = Number(message.slice(sep + 1));
        if (sep > 0 && Number.isInteger(version)) this.rememberVersion(message.slice(0, sep), version);
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pub?.quit().catch(() => undefined), this.sub?.quit().catch(() => undefined)]);
  }

  /** How long a cached principal may outlive a change: the longest access token, plus clock tolerance. */
  private get retentionMs(): number {
    return (this.config.jwt.accessTtlSeconds + 10) * 1000;
  }

  isRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until < this.clock.now()) {
      this.revoked.delete(sessionId);
      return false;
    }
    return true;
  }

  /** Records revocations made here and tells the other instances. */
  revoke(sessionIds: string[]): void {
    this.metrics?.revocation('local', sessionIds.length);
    for (const sid of sessionIds) {
      this.remember(sid);
      this.publish(this.sessionChannel, sid);
    }
  }

  /** Records a revocation learnt from elsewhere (boot-time load, another instance). */
  remember(sessionId: string): void {
    this.revoked.set(sessionId, this.clock.now() + this.retentionMs);
  }

  /** The key under which a user's security version is tracked. */
  static userKey(groupId: string, userId: string): string {
    return `${groupId}/${userId}`;
  }

  /**
   * The latest security version known for the user, or -1 when it has not changed recently
   * (then whatever a principal was loaded with is still current).
   */
  versionOf(userKey: string): number {
    const v = this.versions.get(userKey);
    if (!v) return -1;
    if (v.until < this.clock.now()) {
      this.versions.delete(userKey);
      return -1;
    }
    return v.version;
  }

  /** A change made here: cached principals of the user older than `version` are stale everywhere. */
  securityChanged(groupId: string, userId: string, version: number): void {
    const key = RevocationCache.userKey(groupId, userId);
    this.rememberVersion(key, version);
    this.publish(this.userChannel, `${key}#${version}`);
  }

  /**
   * Deleted groups: whatever a process still holds for their users (cached Basic credentials,
   * which have no session to revoke) is refused at once, here and on the other instances.
   */
  groupsEnded(groupIds: string[]): void {
    for (const id of groupIds) {
      this.rememberGroupEnded(id);
      this.publish(this.groupChannel, id);
    }
  }

  isGroupEnded(groupId: string): boolean {
    const until = this.endedGroups.get(groupId);
    if (until === undefined) return false;
    if (until < this.clock.now()) {
      this.endedGroups.delete(groupId);
      return false;
    }
    return true;
  }

  private rememberGroupEnded(groupId: string): void {
    this.endedGroups.set(groupId, this.clock.now() + Math.max(this.retentionMs, (this.config.basicCacheSeconds + 10) * 1000));
  }

  /** Called with the user key whenever a user's security version moves (credential caches drop entries). */
  onUserChanged(listener: (userKey: string) => void): void {
    this.listeners.push(listener);
  }

  private rememberVersion(userKey: string, version: number): void {
    const known = this.versions.get(userKey);
    // Long enough to outlive every cached principal: access tokens and Basic cache entries.
    const until = this.clock.now() + Math.max(this.retentionMs, (this.config.basicCacheSeconds + 10) * 1000);
    if (!known || known.version < version) this.versions.set(userKey, { version, until });
    else known.until = until;
    if (this.versions.size > 100000) this.sweep();
    for (const l of this.listeners) l(userKey);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [k, v] of this.versions) if (v.until < now) this.versions.delete(k);
  }

  private publish(channel: string, message: string): void {
    this.pub?.publish(channel, message).catch((e: Error) => this.log.warn(`publish failed: ${e.message}`));
  }
}
