import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service';
import { DomainEventsService } from '../../src/audit/domain-events.service';
import { currentRequestMetadata } from '../../src/audit/request-metadata';
import { OutboxEventEntity } from '../../src/audit/outbox-event.entity';
import { SessionEntity } from '../../src/credentials/sessions/session.entity';
import { RequestContext } from '../../src/common/request-context';
import { UsersRepository } from '../../src/users/users.repository';
import {
  bearer,
  createAdmin,
  createGroup,
  createUser,
  DEFAULT_PASSWORD,
  loginAs,
  loginAsRootAdmin,
  TestUser,
  uniq,
} from '../support/fixtures';
import { body } from '../support/body';
import { SmtpSink } from '../support/mail-sinks';
import { startApp, TestApp } from '../support/test-app';

/**
 * Issue 13, "acknowledged writes undone": a request whose transaction fails (or succeeds) runs beside
 * concurrent acknowledged property writes of other users. Every 200 must read back exactly, every
 * refused request must leave no trace, on SQLite and PostgreSQL alike. Counts are exact.
 */
type Prop = { type: { identifier: string }; typedValue: { stringValue: string } };
type Doc = { id: string; name?: string; superGroup?: string; properties: Prop[]; metadata?: unknown };

const ROUNDS = 12;
const VICTIMS = 4;
const REG = 'registrations';
// Each test runs ROUNDS bursts over HTTP; a machine shared with other suites needs the headroom.
jest.setTimeout(120_000);

describe('concurrent writes beside a transaction of another request', () => {
  let t: TestApp;
  const smtp = new SmtpSink();
  let root: string;
  let admin: TestUser;
  let adminToken: string;
  let victims: { user: TestUser; token: string }[];
  let taken: TestUser;
  const totals = { acknowledged: 0, checked: 0 };

  beforeAll(async () => {
    t = await startApp({ env: { SMTP_URL: await smtp.start(), CAREGATE_REGISTRATION_GROUP: REG, CAREGATE_PASSWORD_MIN_LENGTH: '8' } });
    await createGroup(t, { id: REG });
    const g = await createGroup(t, { superAdmin: true });
    admin = await createAdmin(t, g);
    adminToken = (await loginAs(t, admin)).token;
    root = (await loginAsRootAdmin(t)).token;
    taken = await createUser(t, g, { login: uniq('taken'), email: `${uniq('taken')}@example.org` });
    victims = [];
    for (let i = 0; i < VICTIMS; i++) {
      const user = await createUser(t, g);
      victims.push({ user, token: (await loginAs(t, user)).token });
    }
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    // Printed for the report: how much was checked on this database.
    process.stdout.write(`concurrent-writes: ${totals.acknowledged} acknowledged property writes, ${totals.checked} read back\n`);
  });

  /**
   * One round: `others` (the transaction under test) start first, then one property write per
   * victim; all must be acknowledged and read back with this round's value.
   */
  async function round(n: number, others: () => Promise<Response>[]): Promise<Response[]> {
    const value = `round-${n}-${uniq('v')}`;
    const started = others();
    const writes = victims.map((v) =>
      t
        .http()
        .put(`/rest/v2/user/${v.user.user.id}/properties`)
        .set(bearer(v.token))
        .send([{ type: { identifier: 'k', type: 'STRING' }, typedValue: { stringValue: value } }]),
    );
    const [outcomes, acks] = await Promise.all([Promise.all(started), Promise.all(writes)]);
    expect(acks.map((r) => r.status)).toEqual(victims.map(() => 200));
    totals.acknowledged += acks.length;
    for (const v of victims) {
      const back = await t.http().get(`/rest/v2/user/${v.user.user.id}`).set(bearer(v.token)).expect(200);
      expect(body<Doc>(back).properties).toEqual([
        { type: { identifier: 'k', type: 'STRING' }, typedValue: { type: 'STRING', stringValue: value } },
      ]);
      totals.checked++;
    }
    return outcomes;
  }

  const createUserDoc = (login: string, email: string) =>
    t
      .http()
      .post('/rest/v2/user')
      .set(bearer(adminToken))
      .send({ login, email, passwordHash: DEFAULT_PASSWORD, applicationTokens: { app: `tok-${uniq()}` } });

  it('user create: a duplicate (409 after hashing) never takes the concurrent 200s along; a new user is stored', async () => {
    const counts = { 409: 0, 200: 0 };
    for (let n = 0; n < ROUNDS; n++) {
      const lost = `${uniq('lost')}@example.org`;
      const kept = `${uniq('kept')}@example.org`;
      const [dup, ok] = await round(n, () => [createUserDoc(taken.login, lost), createUserDoc(uniq('new'), kept)]);
      expect([dup.status, ok.status]).toEqual([409, 200]);
      counts[409]++;
      counts[200]++;
      await t.http().get(`/rest/v2/user/byEmail/${lost}`).set(bearer(adminToken)).expect(404);
      const stored = await t.http().get(`/rest/v2/user/byEmail/${kept}`).set(bearer(adminToken)).expect(200);
      expect(body<Doc>(stored).id).toBe(body<Doc>(ok).id);
    }
    expect(counts).toEqual({ 409: ROUNDS, 200: ROUNDS });
  });

  it('group create with seeded users: a refused seed rolls back the group only; a good one is stored whole', async () => {
    const counts = { 409: 0, 200: 0 };
    for (let n = 0; n < ROUNDS; n++) {
      const bad = uniq('gbad');
      const good = uniq('ggood');
      const seed = (login: string) => ({ login, passwordHash: DEFAULT_PASSWORD });
      const [refused, created] = await round(n, () => [
        t
          .http()
          .post(`/rest/v2/group/${bad}`)
          .query({ name: bad })
          .set(bearer(root))
          .send({ users: [seed('same'), seed('same')] }),
        t
          .http()
          .post(`/rest/v2/group/${good}`)
          .query({ name: good })
          .set(bearer(root))
          .send({ users: [seed('first'), seed('second')] }),
      ]);
      expect([refused.status, created.status]).toEqual([409, 200]);
      counts[409]++;
      counts[200]++;
      await t.http().get(`/rest/v2/group/${bad}`).set(bearer(root)).expect(404);
      await t.http().get(`/rest/v2/group/${good}`).set(bearer(root)).expect(200);
      await loginAs(t, { login: 'second', password: DEFAULT_PASSWORD, groupId: good });
    }
    expect(counts).toEqual({ 409: ROUNDS, 200: ROUNDS });
  });

  it('group move and delete beside property writes: both stored', async () => {
    const parentA = await createGroup(t, { parent: admin.groupId });
    const parentB = await createGroup(t, { parent: admin.groupId });
    for (let n = 0; n < ROUNDS; n++) {
      const moved = await createGroup(t, { parent: parentA });
      const deleted = await createGroup(t, { parent: parentA });
      const [m, d] = await round(n, () => [
        t.http().put(`/rest/v2/group/${moved.id}/parent/${parentB.id}`).set(bearer(adminToken)),
        t.http().delete(`/rest/v2/group/${deleted.id}`).set(bearer(adminToken)),
      ]);
      expect([m.status, d.status]).toEqual([200, 200]);
      const after = await t.http().get(`/rest/v2/group/${moved.id}`).set(bearer(adminToken)).expect(200);
      expect(body<Doc>(after).superGroup).toBe(parentB.id);
      await t.http().get(`/rest/v2/group/${deleted.id}`).set(bearer(adminToken)).expect(404);
    }
  });

  it('HCP registration: a refused user (409 after the HCP insert) leaves no HCP; a good one is stored with its token', async () => {
    const counts = { 409: 0, 200: 0 };
    const email = (e: string) => ({ addresses: [{ telecoms: [{ telecomType: 'email', telecomNumber: e }] }] });
    for (let n = 0; n < ROUNDS; n++) {
      const badId = uniq('hbad');
      const goodEmail = `${uniq('hcp')}@example.org`;
      const [refused, ok] = await round(n, () => [
        t
          .http()
          .post(`/rest/v2/hcparty/register/inGroup/${admin.groupId}`)
          .set(bearer(adminToken))
          .send({ id: badId, lastName: 'Bad', ...email(taken.login) }),
        t
          .http()
          .post(`/rest/v2/hcparty/register/inGroup/${admin.groupId}`)
          .set(bearer(adminToken))
          .send({ lastName: 'Good', ...email(goodEmail) }),
      ]);
      expect([refused.status, ok.status]).toEqual([409, 200]);
      counts[409]++;
      counts[200]++;
      await t.http().get(`/rest/v2/hcparty/${badId}`).set(bearer(adminToken)).expect(404);
      await loginAs(t, { login: goodEmail, password: body<{ token: string }>(ok).token, groupId: admin.groupId });
    }
    expect(counts).toEqual({ 409: ROUNDS, 200: ROUNDS });
  });

  it('account lifecycle and token issue: registration, a refused duplicate, a reset and a token, all exact', async () => {
    const counts = { registered: 0, refused: 0, tokens: 0 };
    const first = `${uniq('first')}@example.org`;
    const reg = (e: string) =>
      t
        .http()
        .post('/v1/users')
        .send({ user: { email: e, password: DEFAULT_PASSWORD, first_name: 'A', last_name: 'B' } });
    await reg(first).expect(201);
    for (let n = 0; n < ROUNDS; n++) {
      const fresh = `${uniq('reg')}@example.org`;
      const [ok, dup, token] = await round(n, () => [
        reg(fresh),
        reg(first),
        t.http().post(`/rest/v2/user/token/${victims[0].user.user.id}/key${n}`).set(bearer(adminToken)),
      ]);
      expect([ok.status, dup.status, token.status]).toEqual([201, 422, 200]);
      counts.registered++;
      counts.refused++;
      counts.tokens++;
      await loginAs(t, { login: victims[0].user.login, password: token.text, groupId: admin.groupId });
      const stored = await t.get(UsersRepository).findByEmail(RequestContext.system(REG), fresh);
      expect(stored).toMatchObject({ id: body<Doc>(ok).id, status: 'REGISTERING' });
    }
    expect(counts).toEqual({ registered: ROUNDS, refused: ROUNDS, tokens: ROUNDS });
  });

  it('events of two groups recorded concurrently in opposite orders: every transaction commits, both chains verify', async () => {
    const [a, b] = [await createGroup(t), await createGroup(t)];
    const events = t.get(DomainEventsService);
    const ev = (groupId: string, n: number) => ({
      action: 'group.updated' as const,
      subjectType: 'group' as const,
      subjectId: groupId,
      groupId,
      fields: [`f${n}`],
    });
    const ctx = RequestContext.system(a.id);
    const pairs = 25;
    const results = await Promise.allSettled(
      Array.from({ length: pairs }, (_, n) => [
        events.record(ctx, ev(a.id, n), ev(b.id, n)),
        events.record(ctx, ev(b.id, n), ev(a.id, n)),
      ]).flat(),
    );
    // Each transaction locks the chains of its groups in one order (sorted ids), never in event
    // order: A-then-B beside B-then-A deadlocked on PostgreSQL, and the database aborted one.
    expect(results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const audit = t.get(AuditService);
    for (const g of [a, b]) {
      const v = await audit.verify(RequestContext.system(g.id));
      expect(v.ok).toBe(true);
      expect(v.count).toBeGreaterThanOrEqual(2 * pairs);
    }
  });

  it('login: a login whose transaction fails (audit event refused) leaves no session nor event; the concurrent one is stored', async () => {
    const g = await createGroup(t);
    const doomed = await createUser(t, g);
    const lucky = await createUser(t, g);
    const events = t.get(DomainEventsService);
    const original = events.record.bind(events);
    // The real rows are written in the login's transaction, then it fails: only for `doomed`.
    const record = jest.spyOn(events, 'record').mockImplementation(async (ctx, ...inputs) => {
      await original(ctx, ...inputs);
      if (inputs.some((i) => i.action === 'login.succeeded' && i.subjectId === doomed.user.id)) throw new Error('audit store unavailable');
    });
    const login = (u: TestUser) =>
      t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${g.id}/${u.login}`, password: u.password });
    try {
      for (let n = 0; n < ROUNDS; n++) {
        const [failed, ok] = await round(n, () => [login(doomed), login(lucky)]);
        expect([failed.status, ok.status]).toEqual([500, 200]);
      }
    } finally {
      record.mockRestore();
    }
    const ds = t.get(DataSource);
    const sessions = (u: TestUser) => ds.getRepository(SessionEntity).count({ where: { groupId: g.id, userId: u.user.id } });
    const logins = (u: TestUser) =>
      ds.getRepository(OutboxEventEntity).count({ where: { groupId: g.id, action: 'login.succeeded', subjectId: u.user.id } });
    expect([await sessions(doomed), await logins(doomed)]).toEqual([0, 0]);
    expect([await sessions(lucky), await logins(lucky)]).toEqual([ROUNDS, ROUNDS]);
  });

  it('50 parallel property writes of one key without rev: all 200, the final value is one of them; a stale client rev is 409', async () => {
    const v = victims[1];
    const values = Array.from({ length: 50 }, (_, i) => `parallel-${i}`);
    const res = await Promise.all(
      values.map((value) =>
        t
          .http()
          .put(`/rest/v2/user/${v.user.user.id}/properties`)
          .set(bearer(v.token))
          .send([{ type: { identifier: 'p' }, typedValue: { stringValue: value } }]),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(values.map(() => 200));
    const back = await t.http().get(`/rest/v2/user/${v.user.user.id}`).set(bearer(v.token)).expect(200);
    const p = body<Doc>(back).properties.find((x) => x.type.identifier === 'p')!;
    expect(values).toContain(p.typedValue.stringValue);
    // A client that modifies from an old revision still gets its 409.
    const stale = { ...body<Doc>(back), rev: v.user.user.rev, name: 'stale' };
    await t.http().put('/rest/v2/user').set(bearer(v.token)).send(stale).expect(409);
    expect(body<Doc>(await t.http().get(`/rest/v2/user/${v.user.user.id}`).set(bearer(v.token))).name).not.toBe('stale');
  });

  it('20 parallel property writes of 20 different keys to one user: all 200, no write lost (the merge reads the row under its lock)', async () => {
    const v = victims[1];
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const res = await Promise.all(
      keys.map((k) =>
        t
          .http()
          .put(`/rest/v2/user/${v.user.user.id}/properties`)
          .set(bearer(v.token))
          .send([{ type: { identifier: k }, typedValue: { stringValue: `v-${k}` } }]),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(keys.map(() => 200));
    const back = body<Doc>(await t.http().get(`/rest/v2/user/${v.user.user.id}`).set(bearer(v.token)).expect(200));
    for (const k of keys) expect(back.properties.find((x) => x.type.identifier === k)?.typedValue.stringValue).toBe(`v-${k}`);
  });

  it('20 parallel property writes of different keys to one user, half failing after their update: the others are all stored, the failed ones not at all', async () => {
    const v = victims[1];
    const keys = Array.from({ length: 20 }, (_, i) => `f${i}`);
    const events = t.get(DomainEventsService);
    const original = events.record.bind(events);
    // The write of an odd key fails in its transaction, after its UPDATE, while it holds the row lock.
    const record = jest.spyOn(events, 'record').mockImplementation(async (ctx, ...inputs) => {
      await original(ctx, ...inputs);
      if (/^fail-/.test(currentRequestMetadata()?.requestId ?? '')) throw new Error('audit store unavailable');
    });
    let res: Response[];
    try {
      res = await Promise.all(
        keys.map((k, i) =>
          t
            .http()
            .put(`/rest/v2/user/${v.user.user.id}/properties`)
            .set(bearer(v.token))
            .set('x-request-id', `${i % 2 ? 'fail' : 'ok'}-${k}`)
            .send([{ type: { identifier: k }, typedValue: { stringValue: `v-${k}` } }]),
        ),
      );
    } finally {
      record.mockRestore();
    }
    expect(res.map((r) => r.status)).toEqual(keys.map((_, i) => (i % 2 ? 500 : 200)));
    const back = body<Doc>(await t.http().get(`/rest/v2/user/${v.user.user.id}`).set(bearer(v.token)).expect(200));
    const stored = keys.filter((k) => back.properties.some((x) => x.type.identifier === k));
    expect(stored).toEqual(keys.filter((_, i) => i % 2 === 0));
  });

  it('50 parallel group property writes without rev: all 200', async () => {
    const g = await createGroup(t, { parent: admin.groupId });
    const res = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .http()
          .put(`/rest/v2/group/${g.id}/properties`)
          .set(bearer(adminToken))
          .send({ properties: [{ type: { identifier: 'p' }, typedValue: { stringValue: `g-${i}` } }] }),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(res.map(() => 200));
  });

  it('20 parallel Nabla metadata PATCHes and 20 parallel app token issues for one key: all 200, one winner each', async () => {
    const v = victims[2];
    const patches = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .patch(`/v1/copilot-api/server/users/${v.user.user.id}`)
          .set(bearer(v.token))
          .send({ metadata: { n: String(i) } }),
      ),
    );
    expect(patches.map((r) => r.status)).toEqual(patches.map(() => 200));
    const stored = await t.get(UsersRepository).getInGroup(RequestContext.system(admin.groupId), v.user.user.id);
    expect(patches.map((r) => body<Doc>(r).metadata)).toContainEqual(stored.metadata);
    const issued = await Promise.all(
      Array.from({ length: 20 }, () => t.http().post(`/rest/v2/user/token/${v.user.user.id}/shared`).set(bearer(v.token))),
    );
    expect(issued.map((r) => r.status)).toEqual(issued.map(() => 200));
    const valid = await Promise.all(
      issued.map((r) => t.http().get(`/rest/v2/user/token/${v.user.user.id}`).set(bearer(v.token)).set('token', r.text)),
    );
    expect(valid.filter((r) => r.body === true)).toHaveLength(1);
  });
});
