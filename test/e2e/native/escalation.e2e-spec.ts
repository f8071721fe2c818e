import { expect } from '@jest/globals';
import type { KeysetPage } from '../../../src/common/pagination';
import { RequestContext } from '../../../src/common/request-context';
import type { NativeUserDto } from '../../../src/profiles/native/users/user.mapper';
import { UsersRepository } from '../../../src/users/users.repository';
import { bearer, createAdmin, createGroup, loginAs, uniq } from '../../support/fixtures';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

// Issue 4, non-escalation: nobody grants a role or permission they do not hold — on create, on
// modify and through the inGroup routes of an ancestor's administrator — and a body groupId never
// places a user in another tenant.
describe('native users: no escalation of roles or permissions', () => {
  let t: TestApp;
  let parent: string;
  let child: string;
  let adminTok: string;
  const ADMIN_GRANT = { grants: [{ type: 'ADMIN' }] };

  beforeAll(async () => {
    t = await startApp();
    const p = await createGroup(t);
    const c = await createGroup(t, { parent: p });
    parent = p.id;
    child = c.id;
    const admin = await createAdmin(t, p, { fields: { permissions: [ADMIN_GRANT] } });
    adminTok = (await loginAs(t, admin)).token;
  });
  afterAll(() => t.close());

  const stored = (groupId: string, id: string) => t.get(UsersRepository).findOneInGroup(RequestContext.system(groupId), id);

  it('an administrator grants the roles and permissions it holds, and functional roles', async () => {
    const r = await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ login: uniq('ok'), roles: ['ADMINISTRATOR', 'HCP'], permissions: [{ grants: [{ type: 'ADMIN' }] }] })
      .expect(200);
    expect(r.body).toMatchObject({ roles: ['ADMINISTRATOR', 'HCP'], permissions: [ADMIN_GRANT] });
  });

  it('refuses a role or a permission the administrator does not hold, on create and modify, and writes nothing', async () => {
    const login = uniq('boss');
    const a = await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ login, roles: ['SUPERUSER'] })
      .expect(403);
    expect(a.body).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot grant roles you do not hold: SUPERUSER' });
    await t
      .http()
      .get('/rest/v2/user')
      .query({ startKey: JSON.stringify(login), limit: 1 })
      .set(bearer(adminTok))
      .expect(200)
      .expect((r) => expect(body<KeysetPage<NativeUserDto>>(r).rows.filter((u) => u.login === login)).toEqual([]));
    await t
      .http()
      .post('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ login, permissions: [{ grants: [{ type: 'PATIENT_SHARING' }] }] })
      .expect(403);

    const u = body<NativeUserDto>(
      await t
        .http()
        .post('/rest/v2/user')
        .set(bearer(adminTok))
        .send({ login: uniq('plain') })
        .expect(200),
    );
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ ...u, roles: ['ROOT'] })
      .expect(403);
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ ...u, permissions: [{ revokes: [], grants: [{ type: 'HCP' }] }] })
      .expect(403);
    expect(await stored(parent, u.id)).toMatchObject({ roles: [], permissions: [], rev: u.rev });
    // Key order does not matter when comparing a permission with the caller's.
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ ...u, permissions: [{ grants: [{ type: 'ADMIN' }] }] })
      .expect(200);
  });

  it('the same rule holds on the inGroup routes of a descendant group', async () => {
    await t
      .http()
      .post(`/rest/v2/user/inGroup/${child}`)
      .set(bearer(adminTok))
      .send({ login: uniq('c'), roles: ['GOD'] })
      .expect(403);
    const ok = await t
      .http()
      .post(`/rest/v2/user/inGroup/${child}`)
      .set(bearer(adminTok))
      .send({ login: uniq('c'), roles: ['ADMINISTRATOR'], permissions: [ADMIN_GRANT] })
      .expect(200);
    expect(await stored(child, body<NativeUserDto>(ok).id)).toMatchObject({ roles: ['ADMINISTRATOR'], permissions: [ADMIN_GRANT] });
  });

  it('an administrator naming another group in the body gets 400 and nothing is written, on create and modify', async () => {
    const login = uniq('moved');
    const r = await t.http().post('/rest/v2/user').set(bearer(adminTok)).send({ login, groupId: child }).expect(400);
    expect(r.body).toMatchObject({ code: 'VALIDATION', issues: [expect.objectContaining({ field: 'groupId' })] });
    const inChild = await t.http().get(`/rest/v2/user/inGroup/${child}`).set(bearer(adminTok)).expect(200);
    expect(body<KeysetPage<NativeUserDto>>(inChild).rows.map((u) => u.login)).not.toContain(login);

    const u = body<NativeUserDto>(await t.http().post('/rest/v2/user').set(bearer(adminTok)).send({ login, groupId: parent }).expect(200));
    expect(u.groupId).toBe(parent);
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(adminTok))
      .send({ ...u, groupId: child, name: 'changed' })
      .expect(400);
    expect(await stored(parent, u.id)).toMatchObject({ rev: u.rev, name: null });
    expect(await stored(child, u.id)).toBeNull();
  });
});
