import { bearer, createAdmin, createGroup, loginAs, loginAsRootAdmin, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

interface NativeValidationBody {
  message: string;
  issues: { field: string; code: string }[];
}

/**
 * The core names the wrong field; the native profile says where it travelled (query, path, header,
 * body), as the iCure-style `issues[].field` and the message always have.
 */
describe('native validation errors name the HTTP location of the field', () => {
  let t: TestApp;
  let root: string;
  let me: { token: string; userId: string };
  beforeAll(async () => {
    t = await startApp();
    root = (await loginAsRootAdmin(t)).token;
    const g = await createGroup(t, { name: 'Locations' });
    me = await loginAs(t, await createAdmin(t, g));
  });
  afterAll(() => t.close());

  const issuesOf = (body: NativeValidationBody) => ({
    message: body.message,
    fields: body.issues.map((i) => i.field),
  });

  it.each([
    ['query', () => t.http().get('/rest/v2/group/root/children').query({ limit: 0 }).set(bearer(root)), 'query.limit'],
    ['query (users)', () => t.http().get('/rest/v2/user').query({ limit: 100000 }).set(bearer(root)), 'query.limit'],
    ['query (hcparty)', () => t.http().get('/rest/v2/hcparty').query({ limit: -1 }).set(bearer(root)), 'query.limit'],
    [
      'path',
      () =>
        t
          .http()
          .post(`/rest/v2/group/${'x'.repeat(65)}`)
          .query({ name: 'n' })
          .set(bearer(root)),
      'path.id',
    ],
    [
      'query (create)',
      () =>
        t
          .http()
          .post(`/rest/v2/group/${uniq('g')}`)
          .query({ name: ' ' })
          .set(bearer(root)),
      'query.name',
    ],
    ['path (token key)', () => t.http().post(`/rest/v2/user/token/${me.userId}/${'bad key!'}`).set(bearer(me.token)), 'path.key'],
    [
      'query (token validity)',
      () => t.http().post(`/rest/v2/user/token/${me.userId}/k1`).query({ tokenValidity: -5 }).set(bearer(me.token)),
      'query.tokenValidity',
    ],
    ['header', () => t.http().post(`/rest/v2/user/token/${me.userId}/k2`).set('token', 'short').set(bearer(me.token)), 'header.token'],
    [
      'body',
      () =>
        t
          .http()
          .put(`/rest/v2/user/${me.userId}/properties`)
          .send([{ type: {} }])
          .set(bearer(me.token)),
      '0.type.identifier',
    ],
  ])('%s', async (_where, call, field) => {
    const r = await call().expect(400);
    const got = issuesOf(r.body as NativeValidationBody);
    expect([...new Set(got.fields)]).toEqual([field]);
    expect(got.message.startsWith(`${field}: `)).toBe(true);
  });
});
