import { expect } from '@jest/globals';
import { DataSource } from 'typeorm';
import { VerificationCodeEntity } from '../../../src/credentials/verification/verification-code.entity';
import { FakeClock } from '../../../src/common/clock';
import { createAdmin, createGroup, createUser, loginAs, TestUser } from '../../support/fixtures';
import { codeIn, resetTokenIn, SmsSink, SmtpSink } from '../../support/mail-sinks';
import type { AccountUserResponse } from '../../../src/profiles/accounts-v1/accounts.dto';
import { body } from '../../support/body';
import { startApp, TestApp } from '../../support/test-app';

interface AccountsPage {
  page: number;
  page_size: number;
  total: number;
  users: AccountUserResponse[];
}
const account = (r: { body: unknown }) => body<AccountUserResponse>(r);
const errors = (r: { body: unknown }) => body<{ errors: unknown }>(r).errors;

const REG = 'registrations';

describe('accounts profile (/v1/users) and the account lifecycle', () => {
  let t: TestApp;
  const smtp = new SmtpSink();
  const sms = new SmsSink();
  const clock = new FakeClock(Date.now());
  let admin: TestUser;
  let adminToken: string;
  const tok = (token: string) => ({ 'X-User-Token': token });

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    const smsUrl = await sms.start();
    t = await startApp({
      clock,
      env: {
        SMTP_URL: smtpUrl,
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: smsUrl,
        CAREGATE_REGISTRATION_GROUP: REG,
        CAREGATE_PASSWORD_MIN_LENGTH: '8',
      },
    });
    const g = await createGroup(t, { id: REG });
    admin = await createAdmin(t, g);
    adminToken = (await loginAs(t, admin)).token;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await sms.stop();
  });

  const register = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/v1/users')
      .send({ user, ...extra });

  describe('document examples', () => {
    let id: string;

    it('Create User: the example request registers a parent, not yet active, and texts a code', async () => {
      const r = await t
        .http()
        .post('/v1/users')
        .set('Content-Type', 'application/json')
        .send(
          `{
"user": {
"email": "john.doe@example.com",
"password": "securepassword123",
"first_name": "John",
"last_name": "Doe",
"phone": "+1-555-123-4567",
"date_of_birth": "1990-05-15",
"language": "en"
},
"clinical": true,
"native_signup": false
}`,
        )
        .expect(201);
      expect(Object.keys(account(r))).toEqual([
        'id',
        'email',
        'first_name',
        'last_name',
        'phone',
        'date_of_birth',
        'language',
        'role',
        'active',
        'clinical',
        'confirmed',
        'created_at',
        'updated_at',
      ]);
      expect(r.body).toEqual({
        id: expect.any(String),
        email: 'john.doe@example.com',
        first_name: 'John',
        last_name: 'Doe',
        phone: '+1-555-123-4567',
        date_of_birth: '1990-05-15',
        language: 'en',
        role: 'parent',
        active: false,
        clinical: true,
        confirmed: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated_at: expect.any(String),
      });
      id = account(r).id;
      expect(sms.lastTo('+1-555-123-4567')).toMatch(/code is \d{6}/);
      await t.http().post('/rest/v2/auth/login').send({ username: 'john.doe@example.com', password: 'securepassword123' }).expect(401);
    });

    it('User Confirmation: a wrong code is 401 Invalid Code; the received code verifies (Confirmation Response)', async () => {
      const wrong = await t
        .http()
        .post('/v1/users/confirmation')
        .send({ user_id: id, confirmation_code: '000000' === codeIn(sms.lastTo('+1-555-123-4567')) ? '111111' : '000000' })
        .expect(401);
      expect(wrong.body).toEqual({ errors: 'Invalid Code' });
      const r = await t
        .http()
        .post('/v1/users/confirmation')
        .send({ user_id: id, confirmation_code: codeIn(sms.lastTo('+1-555-123-4567')) })
        .expect(200);
      expect(r.body).toEqual({ verified: true, user: { id, email: 'john.doe@example.com', confirmed: true } });
      await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${REG}/john.doe@example.com`, password: 'securepassword123' })
        .expect(200);
    });

    it('User Confirmation: the document example (integer id 123) is 404 User not found', async () => {
      const r = await t
        .http()
        .post('/v1/users/confirmation')
        .set('Content-Type', 'application/json')
        .send(
          `{
"user_id": 123,
"confirmation_code": "123456"
}`,
        )
        .expect(404);
      expect(r.body).toEqual({ errors: 'User not found' });
    });

    it('Update User: partial update with X-User-Token', async () => {
      const login = await t
        .http()
        .post('/rest/v2/auth/login')
        .send({ username: `${REG}/john.doe@example.com`, password: 'securepassword123' })
        .expect(200);
      const r = await t
        .http()
        .put(`/v1/users/${id}`)
        .set('X-User-Token', body<{ token: string }>(login).token)
        .set('Content-Type', 'application/json')
        .send(
          `{
"user": {
"first_name": "Jonathan",
"phone": "+1-555-987-6543"
}
}`,
        )
        .expect(200);
      expect(r.body).toMatchObject({
        id,
        first_name: 'Jonathan',
        last_name: 'Doe',
        phone: '+1-555-987-6543',
        active: true,
        confirmed: true,
      });
    });

    it('Check Email Account: the example answers {"has_account": true}', async () => {
      const r = await t
        .http()
        .post('/v1/users/email_has_account')
        .set('Content-Type', 'application/json')
        .send(
          `{
"email": "john.doe@example.com"
}`,
        )
        .expect(200);
      expect(r.body).toEqual({ has_account: true });
      expect((await t.http().post('/v1/users/email_has_account').send({ email: 'nobody@example.com' }).expect(200)).body).toEqual({
        has_account: false,
      });
    });

    it('List Users: page and page_size with X-User-Token', async () => {
      const r = await t
        .http()
        .get('/v1/users?page=1&page_size=25')
        .set('Content-Type', 'application/json')
        .set(tok(adminToken))
        .expect(200);
      expect(r.body).toMatchObject({ page: 1, page_size: 25, total: expect.any(Number) });
      expect(body<AccountsPage>(r).users.map((u) => u.email)).toContain('john.doe@example.com');
      expect(body<AccountsPage>(await t.http().get('/v1/users?page_size=500').set(tok(adminToken)).expect(200)).page_size).toBe(100);
      expect(body<AccountsPage>(await t.http().get('/v1/users').set(tok(adminToken)).expect(200)).page_size).toBe(50);
    });

    it('422 Unprocessable Entity: blank and taken email, short password, blank first name', async () => {
      const r = await register({ email: '', password: 'short', first_name: '', last_name: 'Doe' }).expect(422);
      expect(r.body).toEqual({
        errors: { email: ["can't be blank"], password: ['is too short (minimum is 8 characters)'], first_name: ["can't be blank"] },
      });
      const taken = await register({
        email: 'john.doe@example.com',
        password: 'securepassword123',
        first_name: 'J',
        last_name: 'D',
      }).expect(422);
      expect(taken.body).toEqual({ errors: { email: ['has already been taken'] } });
    });
  });

  it('registration without a phone sends the code by email (real SMTP, multipart, language chosen)', async () => {
    const email = 'marie@example.org';
    const r = await register({ email, password: 'un mot de passe', first_name: 'Marie', last_name: 'Curie', language: 'fr' }).expect(201);
    const raw = smtp.lastTo(email)!;
    expect(raw).toMatch(/multipart\/alternative/);
    expect(raw).toMatch(/Votre code de confirmation est (\d{6})/);
    const code = /Votre code de confirmation est (\d{6})/.exec(raw)![1];
    await t
      .http()
      .post('/v1/users/confirmation')
      .send({ user_id: account(r).id, confirmation_code: code })
      .expect(200);
  });

  it('codes: resend has a cooldown and keeps the try counter; 5 wrong tries exhaust a code', async () => {
    const r = await register({ email: 'tries@example.org', password: 'password for tries', first_name: 'T', last_name: 'R' }).expect(201);
    const id = account(r).id;
    for (let i = 0; i < 3; i++)
      await t.http().post('/v1/users/confirmation').send({ user_id: id, confirmation_code: '999999' }).expect(401);
    const cool = await t.http().post('/v1/users/resend_confirmation').set(tok(adminToken)).send({ user_id: id }).expect(429);
    expect(Number(cool.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(61_000);
    await t.http().post('/v1/users/resend_confirmation').set(tok(adminToken)).send({ user_id: id }).expect(200, { sent: true });
    const code = codeIn(smtp.lastTo('tries@example.org')!.replace(/\r?\n/g, ' '));
    for (let i = 0; i < 2; i++)
      await t
        .http()
        .post('/v1/users/confirmation')
        .send({ user_id: id, confirmation_code: code === '999999' ? '999998' : '999999' })
        .expect(401);
    await t.http().post('/v1/users/confirmation').send({ user_id: id, confirmation_code: code }).expect(401, { errors: 'Invalid Code' });
  });

  it('50 parallel wrong codes evaluate at most 5', async () => {
    const r = await register({ email: 'race@example.org', password: 'password for race', first_name: 'R', last_name: 'C' }).expect(201);
    const code = codeIn(smtp.lastTo('race@example.org'));
    const wrong = code === '123456' ? '654321' : '123456';
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        t
          .http()
          .post('/v1/users/confirmation')
          .send({ user_id: account(r).id, confirmation_code: wrong }),
      ),
    );
    expect(results.every((x) => x.status === 401)).toBe(true);
    const row = await t
      .get(DataSource)
      .getRepository(VerificationCodeEntity)
      .findOneByOrFail({ userId: account(r).id, purpose: 'confirm' });
    expect(row.attempts).toBe(5);
    await t
      .http()
      .post('/v1/users/confirmation')
      .send({ user_id: account(r).id, confirmation_code: code })
      .expect(401);
  });

  it('codes expire after 10 minutes', async () => {
    const r = await register({ email: 'late@example.org', password: 'password for late', first_name: 'L', last_name: 'A' }).expect(201);
    const code = codeIn(smtp.lastTo('late@example.org'));
    clock.advance(10 * 60_000 + 1000);
    await t
      .http()
      .post('/v1/users/confirmation')
      .send({ user_id: account(r).id, confirmation_code: code })
      .expect(401);
  });

  describe('password reset', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await createUser(t, REG, { email: 'reset@example.org', password: 'old password here' });
    });

    it('request (same answer for unknown emails), validate, reset; other sessions end; single use', async () => {
      const before = await loginAs(t, user);
      const known = await t.http().post('/v1/users/passwords').send({ email: 'reset@example.org' }).expect(200);
      const unknown = await t.http().post('/v1/users/passwords').send({ email: 'ghost@example.org' }).expect(200);
      expect(known.body).toEqual(unknown.body);
      const token = resetTokenIn(smtp.lastTo('reset@example.org'));
      await t.http().get('/v1/users/passwords/validate').query({ token }).expect(200, { valid: true });
      await t
        .http()
        .get('/v1/users/passwords/validate')
        .query({ token: 'x'.repeat(22) })
        .expect(401, { errors: 'Invalid Code' });
      await t.http().post('/v1/users/passwords/reset').send({ token, password: 'short' }).expect(422);
      const done = await t.http().post('/v1/users/passwords/reset').send({ token, password: 'brand new password' }).expect(200);
      expect(account(done).email).toBe('reset@example.org');
      await t
        .http()
        .get('/rest/v2/user/current')
        .set({ Authorization: `Bearer ${before.token}` })
        .expect(401);
      await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', before.refreshToken).expect(401);
      await loginAs(t, { ...user, password: 'brand new password' });
      await t.http().post('/v1/users/passwords/reset').send({ token, password: 'another new password' }).expect(401);
    });

    it('20 parallel uses of one token: exactly one succeeds', async () => {
      await t.http().post('/v1/users/passwords').send({ email: 'reset@example.org' }).expect(200);
      const token = resetTokenIn(smtp.lastTo('reset@example.org'));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t
            .http()
            .post('/v1/users/passwords/reset')
            .send({ token, password: `parallel password ${i}` }),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(19);
    });

    it('the native forgottenPassword route sends a reset with the EmailTemplate', async () => {
      await t
        .http()
        .post('/rest/v2/user/forgottenPassword/reset%40example.org')
        .send({ subject: 'Your reset', body: 'Code to reset your password: {{token}}' })
        .expect(200)
        .expect((r) => expect(r.body).toBe(true));
      const raw = smtp.lastTo('reset@example.org')!;
      expect(raw).toContain('Subject: Your reset');
      expect(raw).toMatch(/reset your password: [A-Za-z0-9_-]{22}/);
      await t.http().post('/rest/v2/user/forgottenPassword/nobody%40example.org').send({}).expect(200);
    });

    it('tokens expire after 30 minutes', async () => {
      await t.http().post('/v1/users/passwords').send({ email: 'reset@example.org' }).expect(200);
      const token = resetTokenIn(smtp.lastTo('reset@example.org'));
      clock.advance(30 * 60_000 + 1000);
      await t.http().get('/v1/users/passwords/validate').query({ token }).expect(401);
    });
  });

  it('cancel keeps the data, deactivates and ends sessions; delete is admin-only and permanent', async () => {
    adminToken = (await loginAs(t, admin)).token; // the clock moved past the first token's expiry
    const u = await createUser(t, REG, { email: 'leaving@example.org' });
    const s = await loginAs(t, u);
    const c = await t.http().post(`/v1/users/${u.user.id}/cancel`).set(tok(s.token)).expect(200);
    expect(c.body).toMatchObject({ id: u.user.id, active: false, email: 'leaving@example.org' });
    await t.http().get('/rest/v2/user/current').set(tok(s.token)).expect(401);
    const listed = body<AccountsPage>(await t.http().get('/v1/users').set(tok(adminToken))).users.map((x) => x.id);
    expect(listed).toContain(u.user.id);

    const plain = await createUser(t, REG);
    const plainToken = (await loginAs(t, plain)).token;
    expect((await t.http().delete(`/v1/users/${u.user.id}`).set(tok(plainToken)).expect(403)).body).toEqual({
      errors: 'This operation requires the role ADMINISTRATOR',
    });
    await t.http().delete(`/v1/users/${u.user.id}`).set(tok(adminToken)).expect(204);
    expect((await t.http().delete(`/v1/users/${u.user.id}`).set(tok(adminToken)).expect(404)).body).toEqual({ errors: 'User not found' });
    expect(
      (
        await t
          .get(DataSource)
          .query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM users WHERE id = $1'.replace('$1', t.config.databaseUrl ? '$1' : '?'), [
            u.user.id,
          ])
      )[0].n,
    ).toEqual(t.config.databaseUrl ? '0' : 0);
  });

  it('auth and tenancy: 401 without a token, 403 on another user, 404 in another group', async () => {
    adminToken = (await loginAs(t, admin)).token;
    const other = await createAdmin(t, await createGroup(t));
    const otherToken = (await loginAs(t, other)).token;
    const u = await createUser(t, REG);
    await t.http().get('/v1/users').expect(401, { errors: 'Authentication required' });
    const plainToken = (await loginAs(t, await createUser(t, REG))).token;
    await t
      .http()
      .put(`/v1/users/${u.user.id}`)
      .set(tok(plainToken))
      .send({ user: { first_name: 'X' } })
      .expect(403);
    await t.http().post(`/v1/users/${u.user.id}/cancel`).set(tok(plainToken)).expect(403);
    await t
      .http()
      .put(`/v1/users/${u.user.id}`)
      .set(tok(otherToken))
      .send({ user: { first_name: 'X' } })
      .expect(404);
    await t.http().delete(`/v1/users/${u.user.id}`).set(tok(otherToken)).expect(404);
    await t.http().put(`/v1/users/${u.user.id}`).set(tok(adminToken)).send({ nope: 1 }).expect(422);
  });

  it('a delivery failure is 503 and nothing is kept; a retry works', async () => {
    sms.failNext = 2;
    const r = await register({
      email: 'flaky@example.org',
      password: 'password for flaky',
      first_name: 'F',
      last_name: 'L',
      phone: '+32470001122',
    }).expect(503);
    expect(errors(r)).toMatch(/could not be delivered/);
    expect((await t.http().post('/v1/users/email_has_account').send({ email: 'flaky@example.org' })).body).toEqual({ has_account: false });
    await register({
      email: 'flaky@example.org',
      password: 'password for flaky',
      first_name: 'F',
      last_name: 'L',
      phone: '+32470001122',
    }).expect(201);
    expect(sms.lastTo('+32470001122')).toMatch(/code is \d{6}/);
  });
});

describe('accounts profile configuration', () => {
  it('registration is off without CAREGATE_REGISTRATION_GROUP; email check can be switched off and is rate-limited', async () => {
    const t = await startApp({ env: { CAREGATE_EMAIL_CHECK: 'false' } });
    try {
      const r = await t
        .http()
        .post('/v1/users')
        .send({ user: { email: 'a@example.org', password: 'long enough password', first_name: 'A', last_name: 'B' } })
        .expect(403);
      expect(r.body).toEqual({ errors: 'Self-registration is disabled on this server' });
      await t.http().post('/v1/users/email_has_account').send({ email: 'a@example.org' }).expect(404);
    } finally {
      await t.close();
    }
    const t2 = await startApp({ env: { CAREGATE_EMAIL_CHECK_RATE_LIMIT: '2' } });
    try {
      await t2.http().post('/v1/users/email_has_account').send({ email: 'a@example.org' }).expect(200);
      await t2.http().post('/v1/users/email_has_account').send({ email: 'a@example.org' }).expect(200);
      await t2.http().post('/v1/users/email_has_account').send({ email: 'a@example.org' }).expect(429);
    } finally {
      await t2.close();
    }
  });

  it('without SMTP_URL an email delivery is a 503 with a clear message', async () => {
    const t = await startApp({ env: { CAREGATE_REGISTRATION_GROUP: 'reg2' } });
    try {
      await createGroup(t, { id: 'reg2' });
      const r = await t
        .http()
        .post('/v1/users')
        .send({ user: { email: 'nomail@example.org', password: 'long enough password', first_name: 'A', last_name: 'B' } })
        .expect(503);
      expect(errors(r)).toMatch(/SMTP_URL/);
    } finally {
      await t.close();
    }
  });
});
