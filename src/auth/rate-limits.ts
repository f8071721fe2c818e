import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * Fixed-window counters from rate-limiter-flexible: in Redis when REDIS_URL is set, so that every
 * instance shares one budget per key, else in process memory. If Redis is unreachable each
 * instance falls back to its own memory counters (insurance limiter) rather than failing open.
 */
@Injectable()
export class RateLimits implements OnModuleInit, OnApplicationShutdown {
  private redis?: Redis;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly log = new Logger('RateLimits');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    this.redis = new Redis(this.config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', (e: Error) => this.log.warn(`redis: ${e.message}`));
    await this.redis.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  /** Counts one request for `key`; throws 429 (with Retry-After) once `max` per window is passed. */
  async hit(name: string, key: string, max: number, windowSeconds: number): Promise<void> {
    try {
      await this.limiter(name, max, windowSeconds).consume(key);
    } catch (e) {
      throw this.tooMany(e);
    }
  }

  /** Throws 429 when `key` has already used up its budget, without counting anything. */
  async assertAvailable(name: string, key: string, max: number, windowSeconds: number): Promise<void> {
    const res = await this.limiter(name, max, windowSeconds)
      .get(key)
      .catch(() => null);
    if (res && res.consumedPoints >= max) throw new TooManyRequestsError(res.msBeforeNext / 1000);
  }

  /** Counts one event (e.g. a failed authentication) for `key`; never throws. */
  async record(name: string, key: string, max: number, windowSeconds: number): Promise<void> {
    await this.limiter(name, max, windowSeconds)
      .consume(key)
      .catch(() => undefined);
  }

  private tooMany(e: unknown): unknown {
    if (e instanceof RateLimiterRes) return new TooManyRequestsError(e.msBeforeNext / 1000);
    return e;
  }

  private limiter(name: string, points: number, duration: number): RateLimiterAbstract {
    const id = `${name}:${points}:${duration}`;
    let l = this.limiters.get(id);
    if (!l) {
      const keyPrefix = `${this.config.redisPrefix}rl:${id}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      l = this.redis ? new RateLimiterRedis({ storeClient: this.redis, keyPrefix, points, duration, insuranceLimiter: memory }) : memory;
      this.limiters.set(id, l);
    }
    return l;
  }
}
