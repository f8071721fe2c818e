import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { bearer, loginAsRootAdmin } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two instances on one database: a logout on one is honoured by the other through Redis. */
describe('session revocation across instances (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  let redisUp = false;

  beforeAll(async () => {
    const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    redisUp = await probe.connect().then(
      () => true,
      () => false,
    );
    probe.disconnect();
    if (!redisUp && process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_URL}`);
    if (!redisUp) return;
    // A prefix of this run's own: parallel runs on the shared Redis neither see nor count each other.
    const CAREGATE_REDIS_PREFIX = `caregate-test-${randomBytes(5).toString('hex')}:`;
    a = await startApp({ env: { REDIS_URL, CAREGATE_REDIS_PREFIX } });
    // Instances of one deployment share the signing key (README: running several instances).
    b = await startApp({
      env: { REDIS_URL, CAREGATE_REDIS_PREFIX, CAREGATE_JWT_PRIVATE_KEY_FILE: `${a.config.dataDir}/jwt-signing-key.pem` },
      shareDatabaseWith: a,
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a token revoked on instance A is refused by instance B within a second', async () => {
    if (!redisUp) return console.warn(`Redis not reachable at ${REDIS_URL}: skipped`);
    const { token } = await loginAsRootAdmin(a);
    await b.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    await a.http().post('/rest/v2/auth/logout').set(bearer(token)).expect(200);
    const deadline = Date.now() + 1000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await b.http().get('/rest/v2/user/current').set(bearer(token))).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});
