import { randomBytes } from 'node:crypto';
import { ADMINISTRATOR, RequestContext } from '../../src/common/request-context';
import { GroupEntity } from '../../src/groups/group.entity';
import { GroupsService } from '../../src/groups/groups.service';
import { UserEntity } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import { ROOT_GROUP_ID } from '../../src/provisioning/bootstrap.service';
import { ADMIN_LOGIN, ADMIN_PASSWORD, TestApp } from './test-app';

/** Plain builders and helpers that go through the real services and HTTP. */

export const DEFAULT_PASSWORD = 'a-long-enough-test-password';

export function uniq(prefix = 'u'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export async function createGroup(
  t: TestApp,
  opts: { id?: string; name?: string; parent?: GroupEntity | string; superAdmin?: boolean } = {},
): Promise<GroupEntity> {
  const groups = t.get(GroupsService);
  const sys = RequestContext.system(ROOT_GROUP_ID);
  const parentId = typeof opts.parent === 'string' ? opts.parent : (opts.parent?.id ?? ROOT_GROUP_ID);
  const parent = await groups.findById(sys, parentId);
  if (!parent) throw new Error(`no parent group ${parentId}`);
  const id = opts.id ?? uniq('g');
  return groups.createGroup(sys, { id, name: opts.name ?? `Group ${id}`, parent, superAdmin: opts.superAdmin });
}

export interface TestUser {
  user: UserEntity;
  login: string;
  password: string;
  groupId: string;
}

export async function createUser(
  t: TestApp,
  group: GroupEntity | string,
  opts: { login?: string; password?: string; roles?: string[]; email?: string; mobilePhone?: string; fields?: Partial<UserEntity> } = {},
): Promise<TestUser> {
  const groupId = typeof group === 'string' ? group : group.id;
  const login = opts.login ?? uniq('user');
  const password = opts.password ?? DEFAULT_PASSWORD;
  const user = await t
    .get(UsersService)
    .createWithPassword(
      RequestContext.system(groupId),
      { login, roles: opts.roles ?? [], email: opts.email ?? null, mobilePhone: opts.mobilePhone ?? null, ...opts.fields },
      password,
    );
  return { user, login, password, groupId };
}

export const createAdmin = (t: TestApp, group: GroupEntity | string, opts: Parameters<typeof createUser>[2] = {}) =>
  createUser(t, group, { ...opts, roles: [ADMINISTRATOR, ...(opts.roles ?? [])] });

export interface Tokens {
  token: string;
  refreshToken: string;
  userId: string;
}

/** Mints tokens through the real login route. */
export async function loginAs(t: TestApp, who: { login: string; password: string; groupId?: string }): Promise<Tokens> {
  const username = who.groupId && who.groupId !== ROOT_GROUP_ID ? `${who.groupId}/${who.login}` : who.login;
  const res = await t.http().post('/rest/v2/auth/login').send({ username, password: who.password });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Tokens;
}

export const loginAsRootAdmin = (t: TestApp) => loginAs(t, { login: ADMIN_LOGIN, password: ADMIN_PASSWORD, groupId: ROOT_GROUP_ID });

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export const basic = (login: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${login}:${password}`, 'latin1').toString('base64')}`,
});
