import { DataSource } from 'typeorm';
import { AuditRetentionService } from '../../../src/audit/audit-retention.service';
import { DomainEventsService } from '../../../src/audit/domain-events.service';
import { RequestContext } from '../../../src/common/request-context';
import { FakeClock } from '../../../src/common/clock';
import { basic, bearer, createAdmin, createGroup, createUser, loginAs, TestUser, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';
import { body } from '../../support/body';

type Row = {
  seq: number;
  id: string;
  action: string;
  subjectId: string;
  actor: string;
  fields: string[];
  requestId: string;
  ip: string;
  client: string;
};
/** A page of the trail. */
type Page = { rows: Row[]; nextKeyPair: { startKey: string } };
/** The verify verdict, as far as these tests read it. */
type Verdict = { ok: boolean; count: number; brokenAt?: unknown; head: { seq: number; hash: string } };

describe('audit trail (/rest/v2/audit/inGroup/{groupId})', () => {
  let t: TestApp;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  let groupA: string;
  let child: string;
  let groupB: string;
  let adminA: TestUser;
  let userA: TestUser;
  let tokA: string;
  let tokUserA: string;
  let tokB: string;

  beforeAll(async () => {
    t = await startApp({ clock, env: { CAREGATE_WEBHOOK_WORKER: 'false' } });
    groupA = (await createGroup(t)).id;
    child = (await createGroup(t, { parent: groupA })).id;
    groupB = (await createGroup(t)).id;
    adminA = await createAdmin(t, groupA);
    userA = await createUser(t, groupA);
    tokA = (await loginAs(t, adminA)).token;
    tokUserA = (await loginAs(t, userA)).token;
    tokB = (await loginAs(t, await createAdmin(t, groupB))).token;
  });
  afterAll(() => t.close());

  const list = (groupId: string, q: Record<string, string | number> = {}, token = tokA) =>
    t.http().get(`/rest/v2/audit/inGroup/${groupId}`).query(q).set(bearer(token));

  it('records a native write with actor, changed field names, request id, client IP and client', async () => {
    const login = uniq('aud');
    const created = await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(tokA))
      .set('x-request-id', 'req-audit-1')
      .send({ login, passwordHash: 'a-long-enough-password-1', name: 'Audited' })
      .expect(200);
    const createdId = body<{ id: string }>(created).id;
    const r = await list(groupA, { subject: createdId }).expect(200);
    expect(body<Page>(r).rows).toHaveLength(1);
    const row = body<Page>(r).rows[0];
    expect(row).toMatchObject({ action: 'user.created', actor: adminA.user.id, requestId: 'req-audit-1', subjectId: createdId });
    expect(row.fields).toEqual(expect.arrayContaining(['login', 'name', 'password']));
    expect(JSON.stringify(row)).not.toContain('a-long-enough-password-1');
    expect(row.ip).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    expect(row.client).toMatch(/^session:/);
  });

  it('events recorded under a system context (logins, a failed Basic check on a read) carry their request id and client IP', async () => {
    await t
      .http()
      .post('/rest/v2/auth/login')
      .set('x-request-id', 'req-audit-login')
      .send({ username: `${userA.groupId}/${userA.login}`, password: userA.password })
      .expect(200);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${userA.groupId}/${userA.login}`, 'not-the-password-of-user-a'))
      .set('x-request-id', 'req-audit-basic')
      .expect(401);
    const rows = body<Page>(await list(groupA, { subject: userA.user.id, limit: 50 }).expect(200)).rows;
    const ok = rows.find((r) => r.action === 'login.succeeded' && r.requestId === 'req-audit-login');
    const failed = rows.find((r) => r.action === 'login.failed' && r.requestId === 'req-audit-basic');
    for (const row of [ok, failed]) {
      expect(row).toBeDefined();
      expect(row!.ip).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    }
    expect(ok).toMatchObject({ actor: userA.user.id, subjectId: userA.user.id });
  });

  it('the reads marked read-only (they run outside the request scope) record nothing', async () => {
    const head = async () =>
      body<Verdict>(await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200)).head;
    const before = await head();
    for (const token of [tokA, tokUserA]) {
      await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
      await t.http().get(`/rest/v2/user/${userA.user.id}`).set(bearer(token)).expect(200);
    }
    await t
      .http()
      .get(`/rest/v2/user/byEmail/${encodeURIComponent('nobody@example.org')}`)
      .set(bearer(tokA))
      .expect(404);
    await t.http().get(`/rest/v2/user/${userA.user.id}`).set('Authorization', 'Bearer not-a-token').expect(401);
    expect(await head()).toEqual(before);
  });

  it('filters by action and actor, pages newest first with a keyset cursor', async () => {
    for (let i = 0; i < 3; i++)
      await t
        .http()
        .post('/rest/v2/user')
        .set(bearer(tokA))
        .send({ login: uniq('pg') })
        .expect(200);
    const first = body<Page>(await list(groupA, { action: 'user.created', actor: adminA.user.id, limit: 2 }).expect(200));
    expect(first.rows).toHaveLength(2);
    expect(first.rows[0].seq).toBeGreaterThan(first.rows[1].seq);
    const next = body<Page>(
      await list(groupA, {
        action: 'user.created',
        actor: adminA.user.id,
        limit: 2,
        startKey: first.nextKeyPair.startKey,
      }).expect(200),
    );
    expect(next.rows[0].seq).toBeLessThan(first.rows[1].seq);
    const future = await list(groupA, { from: new Date(clock.now() + 1000).toISOString() }).expect(200);
    expect(body<Page>(future).rows).toEqual([]);
  });

  it('refuses bad input, missing auth, non-administrators and other tenants', async () => {
    await list(groupA, { limit: 0 }).expect(400);
    await list(groupA, { from: 'yesterday' }).expect(400);
    await list(groupA, { action: 'user.exploded' }).expect(400);
    await t.http().get(`/rest/v2/audit/inGroup/${groupA}`).expect(401);
    await list(groupA, {}, tokUserA).expect(403);
    const other = await list(groupA, {}, tokB);
    expect([403, 404]).toContain(other.status);
    await list('no-such-group').expect(404);
    await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokB)).expect(other.status);
  });

  it('an administrator of an ancestor reads a subgroup trail', async () => {
    await t
      .http()
      .post(`/rest/v2/user/inGroup/${child}`)
      .set(bearer(tokA))
      .send({ login: uniq('ch') })
      .expect(200);
    const r = await list(child).expect(200);
    expect(body<Page>(r).rows.map((x) => x.action)).toContain('user.created');
  });

  it('verify answers ok with the count, then points at a tampered row', async () => {
    // Strings that need escaping hash the same in the service and in the database's own check.
    await t.get(DomainEventsService).record(RequestContext.system(groupA), {
      action: 'user.updated',
      subjectType: 'user',
      subjectId: 'odd "q" \\ nl\n tab\t ctl\u0001 € 😀 \u2028',
      fields: ['name'],
    });
    const ok = await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200);
    expect(ok.body).toMatchObject({ ok: true, groupId: groupA });
    expect(body<Verdict>(ok).count).toBeGreaterThanOrEqual(5);
    const rows = body<Page>(await list(groupA, { limit: 1000 }).expect(200)).rows;
    const victim = rows[Math.floor(rows.length / 2)];
    const ds = t.get(DataSource);
    const pg = ds.options.type === 'postgres';
    await ds.query(`UPDATE audit_log SET actor = ${pg ? '$1' : '?'} WHERE group_id = ${pg ? '$2' : '?'} AND seq = ${pg ? '$3' : '?'}`, [
      'someone-else',
      groupA,
      victim.seq,
    ]);
    const bad = await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200);
    const verdict = body<Verdict>(bad);
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt).toMatchObject({ seq: victim.seq, eventId: victim.id });
    expect(verdict.count).toBe(victim.seq - 1);
    await ds.query(`UPDATE audit_log SET actor = ${pg ? '$1' : '?'} WHERE group_id = ${pg ? '$2' : '?'} AND seq = ${pg ? '$3' : '?'}`, [
      victim.actor,
      groupA,
      victim.seq,
    ]);
    await t
      .http()
      .get(`/rest/v2/audit/inGroup/${groupA}/verify`)
      .set(bearer(tokA))
      .expect(200, /"ok":true/);
  });

  it('exports the chain as JSON lines, oldest first', async () => {
    const r = await t
      .http()
      .get(`/rest/v2/audit/inGroup/${groupA}/export`)
      .set(bearer(tokA))
      .buffer(true)
      .parse((res, cb) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString('utf8')));
        res.on('end', () => cb(null, data));
      });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/x-ndjson');
    const lines = (r.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row & { hash: string; prevHash: string });
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    for (let i = 1; i < lines.length; i++) expect(lines[i].prevHash).toBe(lines[i - 1].hash);
  });

  it('retention prunes old rows behind a signed checkpoint; verify still passes; appends continue the chain', async () => {
    const before = body<Verdict>(await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200));
    clock.advance(40 * 86400_000);
    tokA = (await loginAs(t, adminA)).token;
    await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(tokA))
      .send({ login: uniq('late') })
      .expect(200);
    const removed = await t.get(AuditRetentionService).pruneOnce(30);
    expect(removed).toBeGreaterThanOrEqual(before.count);
    const after = body<Verdict>(await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200));
    // What is left: the login and the write after the clock moved.
    expect(after).toMatchObject({ ok: true, count: 2, checkpoint: { seq: before.head.seq, hash: before.head.hash } });
    const ds = t.get(DataSource);
    const pg = ds.options.type === 'postgres';
    await ds.query(`UPDATE audit_checkpoints SET seq = seq + 1 WHERE group_id = ${pg ? '$1' : '?'}`, [groupA]);
    const forged = body<Verdict>(await t.http().get(`/rest/v2/audit/inGroup/${groupA}/verify`).set(bearer(tokA)).expect(200));
    expect(forged).toMatchObject({ ok: false, brokenAt: { reason: 'checkpoint signature is invalid' } });
    await ds.query(`UPDATE audit_checkpoints SET seq = seq - 1 WHERE group_id = ${pg ? '$1' : '?'}`, [groupA]);
  });
});
