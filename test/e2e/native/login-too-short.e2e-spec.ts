import { AppTokensService } from '../../../src/credentials/app-tokens/app-tokens.service';
import { createHash } from 'node:crypto';
import { UsersRepository } from '../../../src/users/users.repository';
import { RequestContext } from '../../../src/common/request-context';
import { basic, bearer, createUser, loginAsRootAdmin, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

// iCure contract §2: `/auth/login` answers 412 when the password is shorter than the minimum.
describe('native login: 412 for a password shorter than the policy minimum', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const login = (username: string, password: string) => t.http().post('/rest/v2/auth/login').send({ username, password });

  it('answers 412 in the native error shape for a short wrong password, whether or not the login exists', async () => {
    const u = await createUser(t, 'root');
    for (const username of [u.login, uniq('nobody')]) {
      const res = await login(username, 'short').expect(412);
      expect(res.body).toMatchObject({
        successful: false,
        code: 'PASSWORD_TOO_SHORT',
        status: 412,
        message: 'The password is too short (minimum is 12 characters)',
      });
      expect((res.body as { token?: string }).token).toBeUndefined();
    }
    // A long wrong password is a plain 401; the right one still logs in.
    await login(u.login, 'a-long-but-wrong-password').expect(401);
    await login(u.login, u.password).expect(200);
  });

  it('counts a short wrong password as a failed attempt', async () => {
    const u = await createUser(t, 'root');
    await login(u.login, 'short').expect(412);
    const stored = await t.get(UsersRepository).findOneInGroup(RequestContext.system('root'), u.user.id);
    expect(stored?.failedLoginCount).toBe(1);
  });

  it('still accepts a short chosen app token and a legacy short password', async () => {
    const { token } = await loginAsRootAdmin(t);
    const u = await createUser(t, 'root');
    // A chosen token must now have 32 characters; short ones still exist (imported documents, older stores).
    await t.http().post(`/rest/v2/user/token/${u.user.id}/ci`).set(bearer(token)).set('token', 'abc123').expect(400);
    await t.get(AppTokensService).issue(RequestContext.system('root'), u.user.id, 'ci', -1, 'abc123');
    await login(u.login, 'abc123').expect(200);
    await login(u.login, 'abc124').expect(412);

    const legacyLogin = uniq('legacy');
    const legacyHash = createHash('sha256').update('old-pw').digest('hex');
    await t.http().post('/rest/v2/user').set(bearer(token)).send({ login: legacyLogin, passwordHash: legacyHash }).expect(200);
    await login(legacyLogin, 'old-pw').expect(200);
    // Basic auth is not the login route: a short wrong password there stays a 401.
    await t.http().get('/rest/v2/user/current').set(basic(legacyLogin, 'old-px')).expect(401);
  });
});
