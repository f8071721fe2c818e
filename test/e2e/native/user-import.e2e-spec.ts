import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { RequestContext } from '../../../src/common/request-context';
import { UsersRepository } from '../../../src/users/users.repository';
import { body } from '../../support/body';
import { basic, bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

const route = (groupId: string) => `/rest/v2/user/inGroup/${groupId}/import`;
/** The per-row results of an import (loosely: each status has its own fields). */
const importRows = (r: { body: unknown }) =>
  body<{ rows: { row: number; status: string; id?: string; reason?: string; fields?: string[] }[] }>(r).rows;
/** The users of a group page. */
const pageRows = (r: { body: unknown }) => body<{ rows: { login: string }[] }>(r).rows;

/** One user per supported way of bringing a password, each with its own clear text. */
async function mixedRows(prefix: string) {
  const pw = (k: string) => `${k}-password-${prefix}`;
  const djangoSalt = 'djangosalt' + prefix;
  const kcSalt = randomBytes(16);
  return [
    { login: `${prefix}-plain`, password: pw('plain') },
    {
      login: `${prefix}-argon2id`,
      passwordHash: await argon2.hash(pw('argon2id'), { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 }),
    },
    { login: `${prefix}-argon2i`, passwordHash: await argon2.hash(pw('argon2i'), { type: argon2.argon2i, memoryCost: 1024, timeCost: 1 }) },
    { login: `${prefix}-bcrypt2y`, passwordHash: bcrypt.hashSync(pw('bcrypt2y'), 4).replace(/^\$2b\$/, '$2y$') },
    { login: `${prefix}-bcrypt2a`, passwordHash: bcrypt.hashSync(pw('bcrypt2a'), 4).replace(/^\$2b\$/, '$2a$') },
    {
      login: `${prefix}-django`,
      passwordHash: `pbkdf2_sha256$1000$${djangoSalt}$${pbkdf2Sync(pw('django'), djangoSalt, 1000, 32, 'sha256').toString('base64')}`,
    },
    {
      login: `${prefix}-keycloak`,
      passwordHash: {
        algorithm: 'pbkdf2-sha256',
        hashIterations: 1000,
        salt: kcSalt.toString('base64'),
        value: pbkdf2Sync(pw('keycloak'), kcSalt, 1000, 64, 'sha256').toString('base64'),
      },
    },
    { login: `${prefix}-sha256`, passwordHash: createHash('sha256').update(pw('sha256')).digest('hex') },
  ].map((r) => ({ ...r, clear: pw(r.login.slice(prefix.length + 1)) }));
}

describe('POST /rest/v2/user/inGroup/{groupId}/import', () => {
  let t: TestApp;
  let rootToken: string;

  beforeAll(async () => {
    t = await startApp();
    rootToken = (await loginAsRootAdmin(t)).token;
  });
  afterAll(() => t?.close());

  const storedHash = async (groupId: string, id: string) =>
    (await t.get(UsersRepository).findOneInGroup(RequestContext.system(groupId), id))!.passwordHash!;

  it('imports every hash format; each logs in with its own password and is rehashed to argon2id at the first login', async () => {
    const g = await createGroup(t);
    const rows = await mixedRows(uniq('m'));
    const res = await t
      .http()
      .post(route(g.id))
      .set(bearer(rootToken))
      .send({ users: rows.map(({ clear: _c, ...r }) => r) })
      .expect(200);
    expect(res.body).toMatchObject({ dryRun: false, created: rows.length, skipped: 0, refused: 0 });
    for (const [i, row] of rows.entries()) {
      const id = importRows(res)[i].id as string;
      expect(importRows(res)[i]).toMatchObject({ row: i, status: 'created' });
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${g.id}/${row.login}`, password: `${row.clear}x` })
        .expect(401);
      await loginAs(t, { login: row.login, password: row.clear, groupId: g.id });
      expect(await storedHash(g.id, id)).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
      // The upgraded hash still takes the same password.
      await t
        .http()
        .get('/rest/v2/user/current')
        .set(basic(`${g.id}/${row.login}`, row.clear))
        .expect(200);
    }
  });

  it('reports duplicates (existing users and earlier rows) and refused rows with reasons, and writes the rest', async () => {
    const g = await createGroup(t);
    const existing = await createUser(t, g, { email: `${uniq('e')}@example.org` });
    const res = await t
      .http()
      .post(route(g.id))
      .set(bearer(rootToken))
      .send({
        users: [
          { login: existing.login },
          { login: 'x1', email: existing.user.email!.toUpperCase() },
          { login: 'fresh', email: 'fresh@example.org' },
          { login: 'fresh' },
          { login: 'weak', password: 'password' },
          { login: 'unknown-hash', passwordHash: 'md5$abc$def' },
          { login: 'bad-mail', email: 'not an email' },
          { firstName: 'no key' },
          { login: 'both', password: 'a-long-enough-password', passwordHash: createHash('sha256').update('x').digest('hex') },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, skipped: 3, refused: 5 });
    expect(importRows(res).map((r) => r.status)).toEqual([
      'skipped',
      'skipped',
      'created',
      'skipped',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
    ]);
    expect(importRows(res)[0]).toMatchObject({ fields: ['login'] });
    expect(importRows(res)[1]).toMatchObject({ fields: ['email'] });
    expect(importRows(res)[3].reason).toMatch(/row 2/);
    expect(importRows(res)[4].reason).toMatch(/password/);
    expect(importRows(res)[5].reason).toMatch(/unrecognised hash format/);
    const list = await t.http().get(`/rest/v2/user/inGroup/${g.id}`).set(bearer(rootToken)).expect(200);
    expect(
      pageRows(list)
        .map((u) => u.login)
        .sort(),
    ).toEqual([existing.login, 'fresh'].sort());
  });

  it('dry run reports the same rows and writes nothing', async () => {
    const g = await createGroup(t);
    const res = await t
      .http()
      .post(route(g.id))
      .set(bearer(rootToken))
      .send({
        dryRun: true,
        users: [
          { login: 'a', password: 'a-long-enough-password' },
          { login: 'b', password: 'short' },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ dryRun: true, created: 1, refused: 1 });
    const list = await t.http().get(`/rest/v2/user/inGroup/${g.id}`).set(bearer(rootToken)).expect(200);
    expect(pageRows(list)).toHaveLength(0);
  });

  it('10,000 pre-hashed users in one request (body above the general limit) are all created', async () => {
    const g = await createGroup(t);
    const sha = createHash('sha256').update('bulk password 1').digest('hex');
    const users = Array.from({ length: 10000 }, (_, i) => ({ login: `bulk${i}`, email: `bulk${i}@example.org`, passwordHash: sha }));
    const res = await t.http().post(route(g.id)).set(bearer(rootToken)).send({ users }).expect(200);
    expect(res.body).toMatchObject({ created: 10000, skipped: 0, refused: 0 });
    await loginAs(t, { login: 'bulk9999', password: 'bulk password 1', groupId: g.id });
    const again = await t
      .http()
      .post(route(g.id))
      .set(bearer(rootToken))
      .send({ users: users.slice(0, 5) })
      .expect(200);
    expect(again.body).toMatchObject({ created: 0, skipped: 5 });
  });

  it('bad input is a 400 that writes nothing: not an array, empty, more than 10,000 rows', async () => {
    const g = await createGroup(t);
    await t.http().post(route(g.id)).set(bearer(rootToken)).send({ users: 'x' }).expect(400);
    await t.http().post(route(g.id)).set(bearer(rootToken)).send({ users: [] }).expect(400);
    await t
      .http()
      .post(route(g.id))
      .set(bearer(rootToken))
      .send({ users: Array.from({ length: 10001 }, (_, i) => ({ login: `l${i}` })) })
      .expect(400);
    const list = await t.http().get(`/rest/v2/user/inGroup/${g.id}`).set(bearer(rootToken)).expect(200);
    expect(pageRows(list)).toHaveLength(0);
  });

  it('401 without credentials; 403 for a member; 403 for an administrator of another group; ancestor admin allowed; roles not escalated', async () => {
    const parent = await createGroup(t);
    const child = await createGroup(t, { parent });
    const other = await createGroup(t);
    const body = { users: [{ login: uniq('i') }] };
    await t.http().post(route(child.id)).send(body).expect(401);
    const member = await loginAs(t, await createUser(t, child));
    await t.http().post(route(child.id)).set(bearer(member.token)).send(body).expect(403);
    const otherAdmin = await loginAs(t, await createAdmin(t, other));
    await t.http().post(route(child.id)).set(bearer(otherAdmin.token)).send(body).expect(403);
    const parentAdmin = await loginAs(t, await createAdmin(t, parent));
    const res = await t
      .http()
      .post(route(child.id))
      .set(bearer(parentAdmin.token))
      .send({
        users: [
          { login: 'ok', roles: ['HCP'] },
          { login: 'boss', roles: ['SUPER_ROLE'] },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, refused: 1 });
    expect(importRows(res)[1].reason).toMatch(/SUPER_ROLE/);
    await t.http().post(route('no-such-group')).set(bearer(rootToken)).send(body).expect(404);
  });
});
