import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { RequestContext } from '../../src/common/request-context';
import { UsersRepository } from '../../src/users/users.repository';
import { bearer, createAdmin, createGroup, createUser, loginAs, TestUser, Tokens } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

/** Keys that must never carry a value in an answer ('*' is the documented placeholder of passwordHash). */
const SECRET_KEYS = /^(password|passwordHash|password_hash|secret|tokenHash|token_hash|codeHash|code_hash|salt|privateKey|private_key)$/i;

function secretsIn(v: unknown, where: string, out: string[]): void {
  if (typeof v === 'string') {
    if (/\$argon2|PRIVATE KEY|\$2[aby]\$/.test(v)) out.push(`${where}: ${v.slice(0, 40)}`);
  } else if (Array.isArray(v)) v.forEach((x, i) => secretsIn(x, `${where}[${i}]`, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (SECRET_KEYS.test(k) && x !== '*' && x !== null && x !== undefined && x !== '') out.push(`${where}.${k}`);
      secretsIn(x, `${where}.${k}`, out);
    }
  }
}

/**
 * Mass assignment, cross-tenant ids and secret-bearing answers, on every profile. Every answer of
 * this file is recorded and scanned for secret-bearing keys at the end.
 */
describe('exposure: mass assignment, cross-tenant ids, secrets in answers', () => {
  let t: TestApp;
  const answers: { what: string; body: unknown }[] = [];
  let A: string, B: string;
  let adminA: TestUser, member: TestUser, userB: TestUser;
  let adminTok: Tokens, memberTok: Tokens;

  const rec = async (what: string, r: Promise<Response> | Response): Promise<Response> => {
    const res = await r;
    answers.push({ what, body: res.body ?? res.text });
    return res;
  };

  beforeAll(async () => {
    t = await startApp();
    A = (await createGroup(t)).id;
    B = (await createGroup(t)).id;
    adminA = await createAdmin(t, A);
    member = await createUser(t, A, { email: 'member@example.org' });
    userB = await createAdmin(t, B, { email: 'b-admin@example.org' });
    adminTok = await loginAs(t, adminA);
    memberTok = await loginAs(t, member);
  });
  afterAll(() => t.close());

  const privilegedFields = () => ({
    roles: ['ADMINISTRATOR'],
    permissions: [{ grants: [{ type: 'AUTHENTICATED' }] }],
    status: 'ACTIVE',
    securityVersion: -5,
    failedLoginCount: -100,
    lockedUntil: 1,
    passwordHash: 'a-strong-enough-password-123',
    groupId: A,
    role: 'admin',
    is_admin: true,
    admin: true,
  });

  it('ASVS 15.3.3: a member writing privileged fields on every write route it can reach gains nothing', async () => {
    const m = bearer(memberTok.token);
    const privileged = privilegedFields();
    const me = await rec('me', t.http().get('/rest/v2/user/current').set(m));
    await rec(
      'create',
      t
        .http()
        .post('/rest/v2/user')
        .set(m)
        .send({ login: `mass-${randomUUID()}`, ...privileged }),
    );
    await rec(
      'modify self',
      t
        .http()
        .put('/rest/v2/user')
        .set(m)
        .send({ ...me.body, ...privileged }),
    );
    await rec(
      'modify self, roles only',
      t
        .http()
        .put('/rest/v2/user')
        .set(m)
        .send({ ...me.body, roles: ['ADMINISTRATOR'] }),
    );
    await rec(
      'properties',
      t
        .http()
        .put(`/rest/v2/user/${member.user.id}/properties`)
        .set(m)
        .send([{ type: { identifier: 'roles' }, typedValue: { stringValue: 'ADMINISTRATOR' } }]),
    );
    await rec(
      'inGroup create',
      t
        .http()
        .post(`/rest/v2/user/inGroup/${A}`)
        .set(m)
        .send({ login: `mass-${randomUUID()}`, ...privileged }),
    );
    await rec('accounts put', t.http().put(`/v1/users/${member.user.id}`).set('X-User-Token', memberTok.token).send({ user: privileged }));
    await rec(
      'infermedica post',
      t
        .http()
        .post('/api/mgp/v1/users')
        .set(m)
        .send({ email: 'x@example.org', ...privileged }),
    );
    await rec('infermedica patch', t.http().patch(`/api/mgp/v1/users/${member.user.id}`).set(m).send(privileged));
    await rec(
      'nabla post',
      t
        .http()
        .post('/v1/copilot-api/server/users')
        .set(m)
        .send({ email: 'y@example.org', ...privileged }),
    );
    await rec('nabla patch', t.http().patch(`/v1/copilot-api/server/users/${member.user.id}`).set(m).send(privileged));

    const repo = t.get(UsersRepository);
    const all = await repo.pageByCreation(RequestContext.system(A), 0, 1000);
    const admins = all.filter((u) => (u.roles ?? []).includes('ADMINISTRATOR')).map((u) => u.id);
    expect(admins).toEqual([adminA.user.id]);
    expect(all.filter((u) => (u.permissions ?? []).length > 0)).toEqual([]);
    const stored = all.find((u) => u.id === member.user.id)!;
    expect(stored.securityVersion).toBeGreaterThanOrEqual(0);
    expect(stored.failedLoginCount).toBe(0);
    expect(stored.lockedUntil).toBeNull();
    expect(stored.groupId).toBe(A);
    // The member's token still says what it is: no ADMINISTRATOR was acquired on the way.
    await t.http().get('/rest/v2/user').set(m).expect(403);
  });

  it('ASVS 8.2.2: another tenant’s id answers like a random id on every profile', async () => {
    const a = bearer(adminTok.token);
    const other = userB.user.id;
    const random = randomUUID();
    const probes: { name: string; run: (id: string) => Promise<Response> }[] = [
      { name: 'native get', run: (id) => t.http().get(`/rest/v2/user/${id}`).set(a) },
      { name: 'native delete', run: (id) => t.http().delete(`/rest/v2/user/${id}`).set(a) },
      { name: 'native properties', run: (id) => t.http().put(`/rest/v2/user/${id}/properties`).set(a).send([]) },
      { name: 'native token', run: (id) => t.http().post(`/rest/v2/user/token/${id}/k`).set(a) },
      {
        name: 'accounts put',
        run: (id) =>
          t
            .http()
            .put(`/v1/users/${id}`)
            .set('X-User-Token', adminTok.token)
            .send({ user: { first_name: 'X' } }),
      },
      { name: 'accounts cancel', run: (id) => t.http().post(`/v1/users/${id}/cancel`).set('X-User-Token', adminTok.token) },
      { name: 'infermedica get', run: (id) => t.http().get(`/api/mgp/v1/users/${id}`).set(a) },
      { name: 'infermedica patch', run: (id) => t.http().patch(`/api/mgp/v1/users/${id}`).set(a).send({ first_name: 'X' }) },
      { name: 'nabla get', run: (id) => t.http().get(`/v1/copilot-api/server/users/${id}`).set(a) },
      { name: 'nabla patch', run: (id) => t.http().patch(`/v1/copilot-api/server/users/${id}`).set(a).send({ first_name: 'X' }) },
      { name: 'nabla deactivate', run: (id) => t.http().post(`/v1/copilot-api/server/users/${id}/deactivate`).set(a) },
    ];
    const norm = (r: Response, id: string) => {
      const { requestId: _r, request_id: _q, ...rest } = (r.body ?? {}) as Record<string, unknown>;
      return [r.status, JSON.stringify(rest).split(id).join('<id>')];
    };
    for (const p of probes) {
      const x = await rec(p.name, p.run(other));
      const y = await rec(p.name, p.run(random));
      expect([p.name, ...norm(x, other)]).toEqual([p.name, ...norm(y, random)]);
      expect(x.status).toBeGreaterThanOrEqual(400);
    }
    // Healthcare parties of the other tenant: like random ids too.
    const b0 = await loginAs(t, userB);
    const hcpB = await rec('hcp create', t.http().post('/rest/v2/hcparty').set(bearer(b0.token)).send({ lastName: 'Other-Tenant' }));
    expect(hcpB.status).toBe(200);
    const hcpId = (hcpB.body as { id: string }).id;
    for (const [name, run] of [
      ['hcp get', (id: string) => t.http().get(`/rest/v2/hcparty/${id}`).set(a)],
      ['hcp delete', (id: string) => t.http().delete(`/rest/v2/hcparty/${id}`).set(a)],
    ] as const) {
      const x = await rec(name, run(hcpId));
      const y = await rec(name, run(randomUUID()));
      expect([name, x.status]).toEqual([name, y.status]);
      expect(x.status === 404 || (x.status === 200 && JSON.stringify(x.body) === JSON.stringify(y.body))).toBe(true);
    }
    await t.http().get(`/rest/v2/hcparty/${hcpId}`).set(bearer(b0.token)).expect(200);
    const g = await rec('group', t.http().get(`/rest/v2/group/${B}`).set(a));
    const h = await rec('group', t.http().get(`/rest/v2/group/nonexistent-group-${Date.now()}`).set(a));
    expect(g.status).toBe(h.status);
    // B's user is intact.
    const b = await loginAs(t, userB);
    await t.http().get('/rest/v2/user/current').set(bearer(b.token)).expect(200);
  });

  it('ASVS 15.3.1: no answer recorded in this file carries a secret-bearing key or a hash', async () => {
    const a = bearer(adminTok.token);
    await rec('list', t.http().get('/rest/v2/user').set(a));
    await rec('get', t.http().get(`/rest/v2/user/${member.user.id}`).set(a));
    await rec('login', t.http().post('/rest/v2/auth/login').send({ username: member.login, password: member.password }));
    await rec('accounts list', t.http().get('/v1/users').set('X-User-Token', adminTok.token));
    await rec('infermedica list', t.http().get('/api/mgp/v1/users').set(a));
    await rec('nabla list', t.http().get('/v1/copilot-api/server/users').set(a));
    await rec('matches', t.http().get('/rest/v2/user/matches').set(a));
    await rec('token', t.http().post(`/rest/v2/user/token/${member.user.id}/k`).set(a));
    expect(answers.length).toBeGreaterThan(30);
    const found: string[] = [];
    for (const r of answers) secretsIn(r.body, r.what, found);
    expect(found).toEqual([]);
  });
});
