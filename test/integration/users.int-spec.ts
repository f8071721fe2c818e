import { ConflictError, NotFoundError } from '../../src/common/errors';
import { ADMINISTRATOR, RequestContext } from '../../src/common/request-context';
import { UsersRepository } from '../../src/users/users.repository';
import { UsersService } from '../../src/users/users.service';
import { createGroup } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

describe('UsersService on a real database', () => {
  let t: TestApp;
  let users: UsersService;
  let a: RequestContext;
  let b: RequestContext;

  beforeAll(async () => {
    t = await startApp();
    users = t.get(UsersService);
    a = RequestContext.forTest({ groupId: (await createGroup(t)).id, roles: [ADMINISTRATOR] });
    b = RequestContext.forTest({ groupId: (await createGroup(t)).id, roles: [ADMINISTRATOR] });
  });
  afterAll(() => t.close());

  it('scopes uniqueness by group: the same email in two groups, not twice in one', async () => {
    await users.create(a, { email: 'Same@Example.org', login: 'same-a' });
    await users.create(b, { email: 'same@example.org', login: 'same-b' });
    await expect(users.create(a, { email: 'same@example.org', login: 'other' })).rejects.toMatchObject({
      code: 'DUPLICATE',
      details: { fields: ['email'] },
    });
  });

  it('never loads a row of another tenant', async () => {
    const u = await users.create(a, { login: 'only-in-a' });
    await expect(users.get(b, u.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(users.update(b, u.id, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(users.softDelete(b, u.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await users.get(a, u.id)).name).toBeNull();
  });

  it('reads across groups only through RequestContext.crossTenant', async () => {
    await users.create(a, { login: 'everywhere' });
    await users.create(b, { login: 'everywhere' });
    const repo = t.get(UsersRepository);
    expect(() => repo.findLoginCandidatesAcrossGroups(a, 'everywhere')).toThrow(/RequestContext\.crossTenant/);
    expect(() => repo.findLoginCandidatesAcrossGroups(RequestContext.system(a.groupId), 'everywhere')).toThrow(
      /RequestContext\.crossTenant/,
    );
    const found = await repo.findLoginCandidatesAcrossGroups(RequestContext.crossTenant('login'), 'everywhere');
    expect(found.map((u) => u.groupId).sort()).toEqual([a.groupId, b.groupId].sort());
  });

  it('checks revisions: a stale rev is a conflict and writes nothing', async () => {
    const u = await users.create(a, { login: 'rev-user' });
    const v2 = await users.update(a, u.id, { name: 'first' }, { rev: u.rev });
    await expect(users.update(a, u.id, { name: 'stale' }, { rev: u.rev })).rejects.toMatchObject({ code: 'STALE_REVISION' });
    expect((await users.get(a, u.id)).name).toBe('first');
    expect(v2.rev.startsWith('2-')).toBe(true);
    await expect(users.update(a, u.id, { name: 'x' }, { rev: u.rev })).rejects.toBeInstanceOf(ConflictError);
  });

  it('strips roles given by a non-administrator and refuses role changes by one', async () => {
    const plain = RequestContext.forTest({ groupId: a.groupId });
    const u = await users.create(plain, { login: 'wants-admin', roles: [ADMINISTRATOR] });
    expect(u.roles).toEqual([]);
    await expect(users.update(plain, u.id, { roles: [ADMINISTRATOR] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('hard delete removes the row for good; soft delete hides it', async () => {
    const s = await users.create(a, { login: 'soft' });
    await users.softDelete(a, s.id);
    await expect(users.get(a, s.id)).rejects.toBeInstanceOf(NotFoundError);
    const h = await users.create(a, { login: 'hard' });
    await users.hardDelete(a, h.id);
    await expect(users.get(a, h.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(users.hardDelete(RequestContext.forTest({ groupId: a.groupId }), s.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a password shorter than the policy minimum and stores nothing', async () => {
    await expect(users.create(a, { login: 'short-pw', password: 'short' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const page = await users.listPage(a, 1, 100);
    expect(page.items.map((u) => u.login)).not.toContain('short-pw');
  });
});
