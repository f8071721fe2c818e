import { Inject, Injectable, Logger, Optional, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';

const CHANNEL = 'caregate:session-revoked';

/**
 * Revoked session ids, held in process until every access token of the session has expired, so
 * that checking a bearer token needs no database round trip. Revocations made by this instance
 * land here at once; with REDIS_URL they are also published to the other instances.
 */
@Injectable()
export class RevocationCache implements OnModuleInit, OnApplicationShutdown {
  private readonly revoked = new Map<string, number>();
  private pub?: Redis;
  private sub?: Redis;
  private readonly log = new Logger('RevocationCache');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false } as const;
    this.pub = new Redis(this.config.redisUrl, opts);
    this.sub = new Redis(this.config.redisUrl, opts);
    for (const c of [this.pub, this.sub]) c.on('error', (e) => this.log.warn(`redis: ${e.message}`));
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    await this.sub.subscribe(CHANNEL);
    this.sub.on('message', (_channel, sid: string) => {
      this.metrics?.revocation('remote');
      this.remember(sid);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.pub?.quit().catch(() => undefined), this.sub?.quit().catch(() => undefined)]);
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
      this.pub?.publish(CHANNEL, sid).catch((e: Error) => this.log.warn(`publish failed: ${e.message}`));
    }
  }

  /** Records a revocation learnt from elsewhere (boot-time load, another instance). */
  remember(sessionId: string): void {
    // An access token lives at most accessTtl (+ clock tolerance) after the revocation.
    this.revoked.set(sessionId, this.clock.now() + (this.config.jwt.accessTtlSeconds + 10) * 1000);
  }
}
