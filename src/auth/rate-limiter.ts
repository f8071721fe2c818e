import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TooManyRequestsError } from '../common/errors';

/**
 * Fixed-window counters in process memory (per instance; see README for multi-instance notes).
 * Bounded: expired windows are swept when the map grows.
 */
@Injectable()
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  /** Counts one hit for `key`; throws 429 with Retry-After once `max` per `windowSeconds` is passed. */
  hit(key: string, max: number, windowSeconds: number): void {
    const now = this.clock.now();
    const windowMs = windowSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (this.windows.size > 50000) this.sweep(now, windowMs);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count > max) throw new TooManyRequestsError((w.start + windowMs - now) / 1000);
  }

  private sweep(now: number, windowMs: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= windowMs) this.windows.delete(k);
  }
}
