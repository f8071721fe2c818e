import { bearer, createGroup, createUser, loginAs, TestUser } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';
import { deepArrayText, errorShapeProblem, profileOf, rawRequest, rowCounts } from './support';

/**
 * Regressions for the client inputs that were once answered 500 (issue 13), on the configured
 * database: each must be the owning profile's 4xx, JSON with charset, and write nothing.
 */
describe('client input is never a 500 (known cases)', () => {
  let t: TestApp;
  let member: TestUser;
  let token: string;

  beforeAll(async () => {
    t = await startApp({ listen: true });
    const g = await createGroup(t);
    member = await createUser(t, g, { email: 'member@example.com' });
    token = (await loginAs(t, member)).token;
  });
  afterAll(() => t.close());

  function expectProfileError(res: { status: number; headers: Record<string, string>; body: unknown }, path: string, status?: number) {
    if (status !== undefined) expect(res.status).toBe(status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(errorShapeProblem(profileOf(path), res.body)).toBeNull();
  }

  it('PUT /rest/v2/user with the own document and "status": null is a 400 and changes nothing', async () => {
    const own = (await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200)).body as Record<string, unknown>;
    const before = await rowCounts(t);
    const res = await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(token))
      .send({ ...own, status: null, name: 'changed' });
    expectProfileError(res, '/rest/v2/user', 400);
    expect((res.body as { issues: { field: string }[] }).issues.map((i) => i.field)).toContain('status');
    const after = (await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200)).body as Record<string, unknown>;
    expect(after.rev).toBe(own.rev);
    expect(after.name).toBe(own.name);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('PUT /rest/v2/user with "passwordHash": null keeps the password (was a 500 found by the fuzz, seed 942189930)', async () => {
    const own = (await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200)).body as Record<string, unknown>;
    await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(token))
      .send({ ...own, passwordHash: null, name: 'renamed' })
      .expect(200);
    // The same password still opens a session.
    await loginAs(t, member);
    const res = await t
      .http()
      .put('/rest/v2/user')
      .set(bearer(token))
      .send({ ...((await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200)).body as object), passwordHash: 42 });
    expectProfileError(res, '/rest/v2/user', 400);
  });

  it.each([
    ['/rest/v2/auth/login', { username: 'ad\u0000min', password: 'x' }],
    ['/rest/v2/auth/check', { username: 'ad\u0000min', password: 'x' }],
    ['/v1/users/email_has_account', { email: 'a\u0000@example.com' }],
    ['/rest/v2/user/filter', { filter: { $type: 'UserByNameEmailPhoneFilter', searchString: 'a\u0000' } }],
  ])('a NUL in a body string of %s is the profile 400 (unauthenticated where the route is)', async (path, body) => {
    const before = await rowCounts(t);
    const res = await t.http().post(path).set(bearer(token)).send(body);
    expectProfileError(res, path);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a NUL in an object key of a body is refused too', async () => {
    const res = await t
      .http()
      .post('/rest/v2/auth/login')
      .set('content-type', 'application/json')
      .send('{"user\\u0000name":"a","password":"b"}');
    expectProfileError(res, '/rest/v2/auth/login', 400);
  });

  it.each([
    '/rest/v2/user/ab%00cd',
    '/rest/v2/user/byEmail/a%00%40example.com',
    '/rest/v2/user?startKey=%00',
    '/rest/v2/user?startKey=a?b=%00',
    '/v1/users/x%00y',
    '/api/mgp/v1/users/x%00y',
    '/v1/copilot-api/server/users/x%00y',
  ])('a NUL in the path or query (%s) is the profile 4xx', async (url) => {
    const res = await t.http().get(url).set(bearer(token));
    expectProfileError(res, url.split('?')[0]);
  });

  it('a NUL in Basic credentials is a 400', async () => {
    const res = await t
      .http()
      .get('/rest/v2/user/current')
      .set('Authorization', `Basic ${Buffer.from(`${member.login}\u0000:x`).toString('base64')}`);
    expectProfileError(res, '/rest/v2/user/current', 400);
  });

  it('a 20,000-deep array in encryptedSelf of PUT /user/{id}/properties is a 400 and writes nothing', async () => {
    const before = await rowCounts(t);
    const res = await t
      .http()
      .put(`/rest/v2/user/${member.user.id}/properties`)
      .set(bearer(token))
      .set('content-type', 'application/json')
      .send(`[{"type":{"identifier":"k"},"encryptedSelf":${deepArrayText(20000)}}]`);
    expectProfileError(res, '/rest/v2/user', 400);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('a 1,000-deep POST /user/filter is a 400', async () => {
    const res = await t
      .http()
      .post('/rest/v2/user/filter')
      .set(bearer(token))
      .set('content-type', 'application/json')
      .send(`{"filter":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`);
    expectProfileError(res, '/rest/v2/user/filter', 400);
  });

  it('the depth limit is the documented one: 64 levels pass the parser, 65 do not', async () => {
    const nest = (d: number) => `{"username":${deepArrayText(d - 1)},"password":"x"}`;
    const ok = await t.http().post('/rest/v2/auth/login').set('content-type', 'application/json').send(nest(64));
    expect(ok.status).toBe(400);
    expect((ok.body as { code: string }).code).toBe('VALIDATION');
    const deep = await t.http().post('/rest/v2/auth/login').set('content-type', 'application/json').send(nest(65));
    expectProfileError(deep, '/rest/v2/auth/login', 400);
    expect((deep.body as { code: string; message: string }).code).toBe('BAD_REQUEST');
    expect((deep.body as { message: string }).message).toMatch(/deeper than 64/);
  });

  describe("Fastify's own errors are rendered by the profile that owns the path", () => {
    const prefixes = ['/rest/v2/user', '/v1/users', '/api/mgp/v1/users', '/v1/copilot-api/server/users'];

    it.each(prefixes)('bad URL encoding under %s', async (prefix) => {
      const res = await t.http().get(`${prefix}/%zz`).set(bearer(token));
      expectProfileError(res, prefix);
    });

    it.each(prefixes)('a path parameter over the router limit under %s is 414 (404 where the router finds no route)', async (prefix) => {
      const res = await t
        .http()
        .delete(`${prefix}/${'a'.repeat(300)}`)
        .set(bearer(token));
      expectProfileError(res, prefix);
      expect([414, 404]).toContain(res.status);
    });

    it('a long path parameter on a native route is 414', async () => {
      const res = await t
        .http()
        .get(`/rest/v2/user/${'a'.repeat(300)}`)
        .set(bearer(token));
      expectProfileError(res, '/rest/v2/user', 414);
    });

    it.each(prefixes)('a malformed JSON body under %s', async (prefix) => {
      const res = await t.http().post(prefix).set(bearer(token)).set('content-type', 'application/json').send('{"a":');
      expectProfileError(res, prefix);
    });

    it.each(prefixes)('an unsupported content type under %s is 415', async (prefix) => {
      const res = await t.http().post(prefix).set(bearer(token)).set('content-type', 'application/xml').send('<a/>');
      expectProfileError(res, prefix, 415);
    });

    it.each(prefixes)('a body over the limit under %s is 413', async (prefix) => {
      const res = await t
        .http()
        .post(prefix)
        .set(bearer(token))
        .set('content-type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(t.config.bodyLimitBytes + 10) }));
      expectProfileError(res, prefix, 413);
    });

    it.each(prefixes)('headers over the server limit under %s are 431', async (prefix) => {
      const res = await rawRequest(t.url, `GET ${prefix} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
      expectProfileError(res, prefix, 431);
    });

    it.each(prefixes)('a control character in a header under %s is the profile 400 (422 for Infermedica)', async (prefix) => {
      const res = await rawRequest(t.url, `GET ${prefix} HTTP/1.1\r\nHost: x\r\nOrigin: a\u000eb\r\nX-Nul: a\u0000b\r\n\r\n`);
      expectProfileError(res, prefix);
      expect([400, 422]).toContain(res.status);
    });

    it.each(prefixes)('a request line over the server limit under %s is 414', async (prefix) => {
      const res = await rawRequest(t.url, `GET ${prefix}/${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expectProfileError(res, prefix, 414);
    });
  });

  it('the server keeps serving', async () => {
    await t.http().get('/health').expect(200);
    await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
  });
});
