import { DataSource, QueryRunner } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service';
import { DomainEventsService } from '../../src/audit/domain-events.service';
import { AppTokensService } from '../../src/credentials/app-tokens/app-tokens.service';
import { SessionsService } from '../../src/credentials/sessions/sessions.service';
import { GroupEntity } from '../../src/groups/group.entity';
import { GroupsRepository } from '../../src/groups/groups.repository';
import { OutboxEventEntity } from '../../src/audit/outbox-event.entity';
import { SessionEntity } from '../../src/credentials/sessions/session.entity';
import { RequestContext } from '../../src/common/request-context';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { UserEntity } from '../../src/users/user.entity';
import { UsersRepository } from '../../src/users/users.repository';
import { body } from '../support/body';
import { createGroup, createUser } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

/**
 * The token refresh and login paths: the statement that loads the user with its live group is
 * served by primary keys on both dialects, and a login's session and audit event are one commit.
 */
describe('authentication paths', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startApp();
    ds = t.get(DataSource);
  });
  afterAll(() => t.close());

  it.each([
    ['access token first use (user, live group)', false],
    ['token refresh (user, live group, session)', true],
  ])('%s: one statement reading users, groups and sessions by key, never by a scan', async (_name, withSession) => {
    const pg = ds.options.type === 'postgres';
    const qr: QueryRunner = ds.createQueryRunner();
    await qr.connect();
    try {
      if (pg) await qr.query('SET enable_seqscan = off');
      const sql = t.get(UsersRepository).sqlWithGroupPath(withSession);
      const params = withSession ? ['plan-session', 'plan-group', 'plan-user'] : ['plan-group', 'plan-user'];
      const plan = pg
        ? ((await qr.query(`EXPLAIN ${sql}`, params)) as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n')
        : ((await qr.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[]).map((r) => r.detail).join('\n');
      if (pg) {
        expect(plan).not.toMatch(/Seq Scan on (users|groups|sessions)\b/);
        expect(plan).not.toMatch(/\bSort\b/);
      } else {
        expect(plan).not.toMatch(/\bSCAN (u|g|s|users|groups|sessions)\b/);
        for (const alias of withSession ? ['u', 'g', 's'] : ['u', 'g'])
          expect(plan).toMatch(new RegExp(`SEARCH ${alias} USING (INDEX|PRIMARY KEY|COVERING INDEX)`));
      }
    } finally {
      await qr.release();
    }
  });

  it('prepared primary-key reads see what the open transaction wrote, and only committed rows outside one', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const tx = t.get(TransactionRunner);
    const users = t.get(UsersRepository);
    const ctx = RequestContext.system(g.id);
    // Twice, so that PostgreSQL runs the already-prepared statement on a pooled connection too.
    for (let i = 0; i < 2; i++) expect((await users.findWithTokenKeys(ctx, u.user.id))?.user.login).toBe(u.login);
    let seenInside: string | undefined;
    await expect(
      tx.run(ctx, async (inTx) => {
        await users.updateBookkeeping(inTx, u.user.id, { passwordHash: 'rolled-back' });
        seenInside = (await users.findWithTokenKeys(inTx, u.user.id))?.user.passwordHash ?? undefined;
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(seenInside).toBe('rolled-back');
    expect((await users.findWithTokenKeys(ctx, u.user.id))?.user.passwordHash).toBe(u.user.passwordHash);
    expect(await users.findWithTokenKeys(ctx, 'no-such-user')).toBeNull();
    expect(await users.findWithTokenKeys(RequestContext.system('another-group'), u.user.id)).toBeNull();
  });

  it('rows read as arrays give the entity TypeORM itself loads, outside and inside a transaction', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g, {
      email: `${Date.now()}-arrays@example.test`,
      mobilePhone: '+32470123456',
      roles: ['ROLE_A', 'ROLE_B'],
      fields: { name: 'Ann Array', firstName: 'Ann', lastName: 'Array', properties: [{ id: 'p', type: { identifier: 'p' } }] as never },
    });
    const tx = t.get(TransactionRunner);
    const users = t.get(UsersRepository);
    const ctx = RequestContext.system(g.id);
    await users.updateBookkeeping(ctx, u.user.id, { use2fa: true, confirmed: true, lockedUntil: 1_800_000_000_000, failedLoginCount: 3 });
    const typeorm = await ds.getRepository(UserEntity).findOneByOrFail({ groupId: g.id, id: u.user.id });
    const outside = await users.findWithTokenKeys(ctx, u.user.id);
    const inside = await tx.run(ctx, (inTx) => users.findWithTokenKeys(inTx, u.user.id));
    for (const read of [outside, inside]) {
      expect(read?.user).toEqual(typeorm);
      expect(read?.user).toBeInstanceOf(UserEntity);
      expect(read?.tokens).toEqual([]);
    }
    expect(outside?.user.use2fa).toBe(true);
    expect(outside?.user.lockedUntil).toBe(1_800_000_000_000);
    expect(outside?.user.roles).toEqual(['ROLE_A', 'ROLE_B']);
    // A failing statement is the driver's error, never a half-read page.
    await expect(tx.queryArrays(ctx, 'SELECT no_such_column FROM users', [])).rejects.toThrow(/no_such_column/);
  });

  it('packed primary-key reads (one JSON array per row) give what TypeORM loads, outside and inside a transaction', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g, {
      email: `${Date.now()}-packed@example.test`,
      mobilePhone: '+32470654321',
      roles: ['ROLE_P'],
      fields: {
        name: 'Pat "Packed" \\ O\'Neil',
        firstName: 'Pät',
        lastName: 'Ünïcode ✓',
        properties: [{ id: 'q', type: { identifier: 'q' } }] as never,
      },
    });
    const tx = t.get(TransactionRunner);
    const users = t.get(UsersRepository);
    const groups = t.get(GroupsRepository);
    const ctx = RequestContext.system(g.id);
    await users.updateBookkeeping(ctx, u.user.id, { use2fa: true, lockedUntil: 1_800_000_000_123, failedLoginCount: 2 });
    await t.get(AppTokensService).issue(ctx, u.user.id, 'key-b', 3600);
    await t.get(AppTokensService).issue(ctx, u.user.id, 'key-a', 7200);
    const session = await t.get(SessionsService).create(ctx, u.user.id);
    const user = await ds.getRepository(UserEntity).findOneByOrFail({ groupId: g.id, id: u.user.id });
    const group = await ds.getRepository(GroupEntity).findOneByOrFail({ id: g.id });
    const stored = await ds.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
    // One after the other: inside a transaction they share one connection (node-postgres deprecates overlapping queries on a client).
    const reads = async (c: RequestContext) =>
      [
        await users.findWithTokenKeys(c, u.user.id),
        await users.findWithGroupPath(c, u.user.id, session.id),
        await users.findWithGroupPath(c, u.user.id, 'no-such-session'),
        await users.findByIdentifier(c, u.user.email!.toUpperCase()),
        await groups.findById(c, g.id),
      ] as const;
    for (const [tokens, withSession, noSession, byEmail, byId] of [await reads(ctx), await tx.run(ctx, (inTx) => reads(inTx))]) {
      expect(tokens?.user).toEqual(user);
      expect(tokens?.user).toBeInstanceOf(UserEntity);
      expect(tokens?.tokens.map((k) => [k.key, k.validity])).toEqual([
        ['key-a', 7200],
        ['key-b', 3600],
      ]);
      expect(typeof tokens?.tokens[0].creationTime).toBe('number');
      expect(withSession?.user).toEqual(user);
      expect(withSession?.groupPath).toBe(group.path);
      expect(withSession?.session).toEqual({ id: stored.id, userId: u.user.id, expiresAt: stored.expiresAt, revokedAt: null });
      expect(noSession?.session).toBeNull();
      expect(byEmail).toEqual(user);
      expect(byId).toEqual(group);
      expect(byId).toBeInstanceOf(GroupEntity);
    }
    expect(user.lockedUntil).toBe(1_800_000_000_123);
    expect(user.lastName).toBe('Ünïcode ✓');
    // The statements really are packed: one JSON array per row.
    expect(users.sqlWithGroupPath(true)).toMatch(ds.options.type === 'postgres' ? /^SELECT json_build_array\(/ : /^SELECT json_array\(/);
  });

  it('a login whose audit event cannot be written fails and leaves no session (one transaction)', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const sessions = () => ds.getRepository(SessionEntity).count({ where: { groupId: g.id, userId: u.user.id } });
    const logins = () => ds.getRepository(OutboxEventEntity).count({ where: { groupId: g.id, action: 'login.succeeded' } });
    const events = t.get(DomainEventsService);
    const original = events.record.bind(events);
    const record = jest.spyOn(events, 'record').mockImplementationOnce(async (ctx, ...inputs) => {
      // The real write runs (session and event rows in the transaction), then the transaction fails.
      await original(ctx, ...inputs);
      throw new Error('audit store unavailable');
    });
    try {
      const failed = await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${g.id}/${u.login}`, password: u.password });
      expect(failed.status).toBe(500);
    } finally {
      record.mockRestore();
    }
    expect(await sessions()).toBe(0);
    expect(await logins()).toBe(0);

    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${g.id}/${u.login}`, password: u.password })
      .expect(200);
    expect(await sessions()).toBe(1);
    expect(await logins()).toBe(1);
  });
  it.each([1, 3, 150])(
    '%i events recorded in one transaction: an outbox row and a chain row each, in event order; the chain verifies',
    async (n) => {
      const g = await createGroup(t);
      const tx = t.get(TransactionRunner);
      const ctx = RequestContext.system(g.id);
      const mark = `mark-${n}-${Date.now()}`;
      const inputs = Array.from({ length: n }, (_, i) => ({
        action: 'group.updated' as const,
        subjectType: 'group' as const,
        subjectId: g.id,
        fields: [`${mark}-${String(i).padStart(3, '0')}`],
      }));
      const pg = ds.options.type === 'postgres';
      const p = (i: number) => (pg ? `$${i}` : '?');
      const ids = `SELECT event_id FROM %s WHERE group_id = ${p(1)} AND fields LIKE ${p(2)} ORDER BY fields`;
      let seen: { outbox: string[]; audit: string[]; prepared: string[] } | undefined;
      await tx.run(ctx, async (inTx) => {
        await t.get(DomainEventsService).record(inTx, ...inputs);
        // Read in the same transaction (the same connection): the webhook dispatcher sees no uncommitted outbox row.
        const m = tx.manager(inTx);
        const read = async (table: string) =>
          (await m.query<{ event_id: string }[]>(ids.replace('%s', table), [g.id, `%${mark}%`])).map((r) => r.event_id);
        const prepared = pg
          ? (await m.query<{ statement: string }[]>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement)
          : [];
        seen = { outbox: await read('outbox_events'), audit: await read('audit_log'), prepared };
      });
      expect(seen!.outbox).toHaveLength(n);
      expect(seen!.audit).toEqual(seen!.outbox);
      const v = await t.get(AuditService).verify(ctx);
      expect(v.ok).toBe(true);
      // PostgreSQL: one event's statements (the lock, the chain's head, the outbox and chain INSERT in one) are prepared.
      if (pg && n === 1)
        for (const part of ['pg_advisory_xact_lock', 'SELECT seq, hash FROM audit_log', 'WITH outbox AS (INSERT INTO "outbox_events"'])
          expect(seen!.prepared.filter((s) => s.includes(part))).toHaveLength(1);
    },
  );
  it("login candidates come with their group path, in one statement; a deleted group's user is not one, and its twin logs in", async () => {
    const parent = await createGroup(t);
    const [live, gone] = [await createGroup(t, { parent }), await createGroup(t)];
    const login = `twin-${Date.now()}`;
    const a = await createUser(t, live, { login });
    const b = await createUser(t, gone, { login });
    await ds.getRepository(GroupEntity).update({ id: gone.id }, { deletionDate: Date.now() });
    const found = await t.get(UsersRepository).findLoginCandidatesWithGroupPath(RequestContext.crossTenant('login'), login);
    expect(found.map((c) => [c.user.groupId, c.user.id, c.groupPath])).toEqual([[live.id, a.user.id, live.path]]);
    // Account lookups still see every group's user (they filter on their own).
    const all = await t.get(UsersRepository).findLoginCandidatesAcrossGroups(RequestContext.crossTenant('account-lookup'), login);
    expect(all.map((u) => u.id).sort()).toEqual([a.user.id, b.user.id].sort());
    // A tenant context cannot run it.
    expect(() => t.get(UsersRepository).findLoginCandidatesWithGroupPath(RequestContext.system(live.id), login)).toThrow();
    const r = await t.http().post('/rest/v2/auth/login').send({ username: login, password: a.password }).expect(200);
    const claims = JSON.parse(Buffer.from(body<{ token: string }>(r).token.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(claims)).toContain(parent.id);
    await t
      .http()
      .post('/rest/v2/auth/login')
      .send({ username: `${gone.id}/${login}`, password: b.password })
      .expect(401);
  });
});
