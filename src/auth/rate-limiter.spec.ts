import { FakeClock } from '../common/clock';
import { TooManyRequestsError } from '../common/errors';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows max hits per window, then 429 with the seconds left; a new window starts fresh', () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(clock);
    for (let i = 0; i < 3; i++) rl.hit('ip', 3, 60);
    clock.advance(15_000);
    let err: unknown;
    try {
      rl.hit('ip', 3, 60);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).details.retryAfterSeconds).toBe(45);
    rl.hit('other-ip', 3, 60);
    clock.advance(45_000);
    expect(() => rl.hit('ip', 3, 60)).not.toThrow();
  });
});
