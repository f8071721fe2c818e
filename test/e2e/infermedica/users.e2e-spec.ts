import { expect } from '@jest/globals';
import type { InfermedicaUser } from '../../../src/profiles/infermedica/infermedica.mapper';
import { body } from '../../support/body';
import { bearer, createAdmin, createGroup, createUser, loginAs, TestUser } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

const BASE = '/api/mgp/v1/users';

type Page = Record<'self' | 'first' | 'prev' | 'next' | 'last', string | null> & { items: InfermedicaUser[] };
interface Detail {
  detail: { type: string; loc: (string | number)[] }[];
}

/** Every example of seeds/infermedica-platform-users.txt, replayed literally (curl -d sends a form content type). */
describe('Infermedica-style users (/api/mgp/v1/users)', () => {
  let t: TestApp;
  let admin: TestUser;
  let token: string;
  let otherAdminToken: string;
  let plainToken: string;
  const curlPost = (body: string, tk = token) =>
    t.http().post(BASE).set(bearer(tk)).set('content-type', 'application/x-www-form-urlencoded').send(body);

  beforeAll(async () => {
    t = await startApp({ env: { CAREGATE_PUBLIC_BASE_URL: 'https://api.infermedica.com' } });
    const g = await createGroup(t);
    admin = await createAdmin(t, g);
    token = (await loginAs(t, admin)).token;
    plainToken = (await loginAs(t, await createUser(t, g))).token;
    otherAdminToken = (await loginAs(t, await createAdmin(t, await createGroup(t)))).token;
  });
  afterAll(() => t.close());

  it('creates a user with an empty body: id, email null, phone null', async () => {
    const r = await curlPost('{}').expect(200);
    expect(Object.keys(body<InfermedicaUser>(r))).toEqual(['id', 'email', 'phone']);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      email: null,
      phone: null,
    });
  });

  let created: { id: string; email: string; phone: string };

  it('creates a user with email and phone', async () => {
    const r = await curlPost(`{
  "email": "user@example.net",
  "phone": "+498999998999"
}`).expect(200);
    expect(r.body).toEqual({ id: expect.any(String), email: 'user@example.net', phone: '+498999998999' });
    created = body<typeof created>(r);
  });

  it('422 for an email without a period after the @ (document example, byte for byte)', async () => {
    const r = await curlPost(`{
  "email": "user@example",
  "phone": "+498999998999"
}`).expect(422);
    expect(r.body).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body', 'email'],
          msg: 'value is not a valid email address: The part after the @-sign is not valid. It should have a period.',
          input: 'user@example',
          ctx: { reason: 'The part after the @-sign is not valid. It should have a period.' },
        },
      ],
    });
  });

  it.each([
    ['us er@example.net', 'The email address contains invalid characters before the @-sign: SPACE.'],
    ['user@@example.net', "The part after the @-sign contains invalid characters: '@'."],
    ['"quoted"@example.net', 'Quoting the part before the @-sign is not allowed here.'],
    ['user@[192.0.2.1]', 'A bracketed IPv4 address after the @-sign is not allowed here.'],
  ])("422 with email-validator's wording for %j, nothing written", async (email, reason) => {
    const before = body<Page>(await t.http().get(BASE).set(bearer(token)).query({ limit: 100 }).expect(200)).items.length;
    const r = await t.http().post(BASE).set(bearer(token)).send({ email }).expect(422);
    expect(r.body).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body', 'email'],
          msg: `value is not a valid email address: ${reason}`,
          input: email,
          ctx: { reason },
        },
      ],
    });
    expect(body<Page>(await t.http().get(BASE).set(bearer(token)).query({ limit: 100 }).expect(200)).items).toHaveLength(before);
  });

  it('accepts what pydantic accepts: a "Name <address>" form and surrounding space, stored normalized', async () => {
    const r = await t.http().post(BASE).set(bearer(token)).send({ email: '  Jane Roe <jane.roe@Example.ORG> ' }).expect(200);
    expect(r.body).toEqual({ id: expect.any(String), email: 'jane.roe@example.org', phone: null });
  });

  it('422 for an email with nothing before the @ (document example)', async () => {
    const r = await curlPost(`{
  "email": "@example.net",
  "phone": "+498999998999"
}`).expect(422);
    expect(r.body).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body', 'email'],
          msg: 'value is not a valid email address: There must be something before the @-sign.',
          input: '@example.net',
          ctx: { reason: 'There must be something before the @-sign.' },
        },
      ],
    });
  });

  it('422 for a too short phone (document example)', async () => {
    const r = await curlPost(`{
  "email": "user@example.net",
  "phone": "+49899999"
}`).expect(422);
    expect(r.body).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body', 'phone'],
          msg: 'Value error, value is not a valid phone number',
          input: '+49899999',
          ctx: { error: {} },
          url: 'https://errors.pydantic.dev/2.4/v/value_error',
        },
      ],
    });
  });

  it.each([
    ['{"phone": "+999123456789"}', 'phone'],
    ['{"email": "us er@example.net"}', 'email'],
    ['{"email": 12}', 'email'],
  ])('422 for %s and nothing is written', async (input, field) => {
    const before = body<Page>(await t.http().get(BASE).query({ limit: 100 }).set(bearer(token))).items.length;
    const r = await curlPost(input).expect(422);
    expect(body<Detail>(r).detail[0].loc).toEqual(['body', field]);
    expect(body<Page>(await t.http().get(BASE).query({ limit: 100 }).set(bearer(token))).items.length).toBe(before);
  });

  it('409 when the email or the phone is already used in the group (document examples)', async () => {
    const a = await curlPost(`{
  "email": "user@example.net"
}`).expect(409);
    expect(a.body).toEqual({ detail: 'Email and SMS must be unique' });
    const b = await curlPost(`{
  "phone": "+498999998999"
}`).expect(409);
    expect(b.body).toEqual({ detail: 'Email and SMS must be unique' });
    await curlPost('{"email": "user@example.net"}', otherAdminToken).expect(200);
  });

  it('retrieves a user by id', async () => {
    const r = await t.http().get(`${BASE}/${created.id}`).set(bearer(token)).expect(200);
    expect(r.body).toEqual(created);
  });

  it('422 uuid_parsing for an id with a character missing (document example)', async () => {
    const r = await t.http().get(`${BASE}/729b7edf-9c47-4348-b3a8-2de4a43de0a`).set(bearer(token)).expect(422);
    expect(r.body).toEqual({
      detail: [
        {
          type: 'uuid_parsing',
          loc: ['path', 'user_id'],
          msg: 'Input should be a valid UUID, invalid group length in group 4: expected 12, found 11',
          input: '729b7edf-9c47-4348-b3a8-2de4a43de0a',
          ctx: { error: 'invalid group length in group 4: expected 12, found 11' },
          url: 'https://errors.pydantic.dev/2.4/v/uuid_parsing',
        },
      ],
    });
  });

  it('lists with cursor and limit and the document envelope', async () => {
    const g = await createGroup(t);
    const a = await createAdmin(t, g);
    const tk = (await loginAs(t, a)).token;
    await curlPost('{"email": "user@example.net", "phone": "+498999998999"}', tk).expect(200);
    const r = await t.http().get(`${BASE}?cursor=0&limit=10`).set(bearer(tk)).expect(200);
    expect(Object.keys(body<Page>(r))).toEqual(['self', 'first', 'prev', 'next', 'last', 'items']);
    expect(r.body).toMatchObject({
      self: 'https://api.infermedica.com/api/mgp/v1/users?limit=10&cursor=0',
      first: 'https://api.infermedica.com/api/mgp/v1/users?limit=10&cursor=0',
      prev: null,
      next: null,
      last: 'https://api.infermedica.com/api/mgp/v1/users?limit=10&cursor=0',
    });
    expect(body<Page>(r).items).toEqual([
      { id: a.user.id, email: null, phone: null },
      { id: expect.any(String), email: 'user@example.net', phone: '+498999998999' },
    ]);
    const p = await t.http().get(`${BASE}?cursor=1&limit=1`).set(bearer(tk)).expect(200);
    expect(p.body).toMatchObject({
      prev: 'https://api.infermedica.com/api/mgp/v1/users?limit=1&cursor=0',
      next: null,
      last: 'https://api.infermedica.com/api/mgp/v1/users?limit=1&cursor=1',
    });
    const bad = await t.http().get(`${BASE}?cursor=x`).set(bearer(tk)).expect(422);
    expect(body<Detail>(bad).detail[0]).toMatchObject({ type: 'int_parsing', loc: ['query', 'cursor'] });
    await t.http().get(`${BASE}?limit=1000`).set(bearer(tk)).expect(422);
    await t.http().get(BASE).set(bearer(plainToken)).expect(403);
  });

  it('updates with PATCH (document example body, with its id) and returns the updated user', async () => {
    const r = await t
      .http()
      .patch(`${BASE}/${created.id}`)
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send(
        `{
    "id": "${created.id}",
    "email": "user1@example.net",
    "phone": "+498999998000"
}`,
      )
      .expect(200);
    expect(r.body).toEqual({ id: created.id, email: 'user1@example.net', phone: '+498999998000' });
  });

  it('deletes with 204, then 404 (document example)', async () => {
    await t.http().delete(`${BASE}/${created.id}`).set(bearer(token)).expect(204);
    const again = await t.http().delete(`${BASE}/${created.id}`).set(bearer(token)).expect(404);
    expect(again.body).toEqual({ detail: 'User not found' });
    await t.http().get(`${BASE}/${created.id}`).set(bearer(token)).expect(404);
  });

  it('401 without a token, 403 for a plain user deleting, 404 for another tenant', async () => {
    const u = body<InfermedicaUser>(await curlPost('{}').expect(200));
    expect((await t.http().get(`${BASE}/${u.id}`).expect(401)).body).toEqual({ detail: 'Not authenticated' });
    await t.http().delete(`${BASE}/${u.id}`).set(bearer(plainToken)).expect(403);
    await t.http().get(`${BASE}/${u.id}`).set(bearer(otherAdminToken)).expect(404);
    await t.http().patch(`${BASE}/${u.id}`).set(bearer(otherAdminToken)).send({ email: 'x@example.org' }).expect(404);
    await t.http().delete(`${BASE}/${u.id}`).set(bearer(otherAdminToken)).expect(404);
    expect((await t.http().get(`${BASE}/${u.id}`).set(bearer(token))).body).toEqual(u);
  });

  it('errors before routing come back as {"detail": ...}', async () => {
    expect(
      body<Detail>(await t.http().post(BASE).set(bearer(token)).set('content-type', 'application/json').send('{"email":').expect(422))
        .detail[0].type,
    ).toBe('json_invalid');
    expect((await t.http().get(`${BASE}/a/b/c`).set(bearer(token)).expect(404)).body).toEqual({ detail: 'Not Found' });
  });
});
