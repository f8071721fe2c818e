import { TooManyRequestsError } from '../common/errors';
import { loadConfig } from '../config/config';
import { RateLimits } from './rate-limits';

describe('RateLimits (in memory, without REDIS_URL)', () => {
  const limits = new RateLimits(loadConfig({ NODE_ENV: 'test' }));

  it('allows max hits per window per key, then 429 with the seconds left', async () => {
    for (let i = 0; i < 3; i++) await limits.hit('route', 'ip-a', 3, 60);
    const err = await limits.hit('route', 'ip-a', 3, 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).details.retryAfterSeconds).toBeGreaterThan(0);
    expect((err as TooManyRequestsError).details.retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(limits.hit('route', 'ip-b', 3, 60)).resolves.toBeUndefined();
    await expect(limits.hit('other-route', 'ip-a', 3, 60)).resolves.toBeUndefined();
  });

  it('record counts without throwing; assertAvailable refuses once the budget is used up', async () => {
    await limits.assertAvailable('fail', 'ip-c', 2, 60);
    await limits.record('fail', 'ip-c', 2, 60);
    await limits.assertAvailable('fail', 'ip-c', 2, 60);
    await limits.record('fail', 'ip-c', 2, 60);
    await limits.record('fail', 'ip-c', 2, 60);
    await expect(limits.assertAvailable('fail', 'ip-c', 2, 60)).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(limits.assertAvailable('fail', 'ip-d', 2, 60)).resolves.toBeUndefined();
  });
});
