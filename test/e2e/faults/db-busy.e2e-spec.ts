import Database from 'better-sqlite3';
import { body } from '../../support/body';
import { bearer, createGroup, createUser, loginAs, TestUser } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

/**
 * SQLite's counterpart of the PostgreSQL outage: another process holds the write lock past the busy
 * timeout. The write answers 503 with Retry-After in the profile's shape (not 500), writes nothing,
 * and succeeds once the lock is gone. (On PostgreSQL, pg-outage covers the same with a locked table.)
 */
const sqlite = !process.env.TEST_DATABASE_URL;
(sqlite ? describe : describe.skip)('SQLite busy (write lock held elsewhere)', () => {
  let t: TestApp;
  let member: TestUser;
  let token: string;

  beforeAll(async () => {
    t = await startApp();
    member = await createUser(t, await createGroup(t));
    token = (await loginAs(t, member)).token;
  });
  afterAll(() => t.close());

  const put = (value: string) =>
    t
      .http()
      .put(`/rest/v2/user/${member.user.id}/properties`)
      .set(bearer(token))
      .send([{ type: { identifier: 'busy', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: value } }]);

  it('is a 503 with Retry-After while the lock is held, then writes again', async () => {
    const other = new Database(t.db.sqliteFile);
    try {
      other.exec('BEGIN IMMEDIATE');
      const res = await put('during');
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
      await t.http().get('/health').expect(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await put('after').expect(200);
    const props = body<{ properties: { typedValue: { stringValue: string } }[] }>(
      await t.http().get(`/rest/v2/user/${member.user.id}`).set(bearer(token)).expect(200),
    ).properties;
    expect(props.map((p) => p.typedValue.stringValue)).toEqual(['after']);
  }, 30000);
});
