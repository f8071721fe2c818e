import { createHash } from 'node:crypto';
import { RequestContext } from '../../src/common/request-context';
import { PasswordHasher } from '../../src/credentials/password/password-hasher';
import { UsersRepository } from '../../src/users/users.repository';
import { bearer, createAdmin, createGroup, createUser, loginAs, uniq } from '../support/fixtures';
import { SmtpSink } from '../support/mail-sinks';
import { startApp, TestApp } from '../support/test-app';

/** Basic with UTF-8 credentials (RFC 7617 charset="UTF-8"), which is what passport-http decodes. */
const basic = (login: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`,
});

describe('passwords', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const NFC = 'Caf\u00e9-cr\u00e8me-br\u00fbl\u00e9e-2026';
  const NFD = NFC.normalize('NFD');

  it('ASVS 6.2.8 with NIST 800-63B 5.1.1.2 normalisation: a password set in NFC logs in when typed in NFD, and the reverse', async () => {
    expect(NFD).not.toBe(NFC);
    const g = await createGroup(t);
    const a = await createUser(t, g, { password: NFC });
    const b = await createUser(t, g, { password: NFD });
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${a.login}`, NFD))
      .expect(200);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${b.login}`, NFC))
      .expect(200);
    await loginAs(t, { login: a.login, password: NFD, groupId: g.id });
  });

  it('ASVS 6.2.8: a hash made from a non-NFC form before normalisation still verifies, and is rehashed to the NFC form', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const argon2 = await import('argon2');
    const legacy = await argon2.hash(NFD, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 });
    const repo = t.get(UsersRepository);
    await repo.updateBookkeeping(RequestContext.system(g.id), u.user.id, { passwordHash: legacy });
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${u.login}`, NFD))
      .expect(200);
    const stored = (await repo.findOneInGroup(RequestContext.system(g.id), u.user.id))!.passwordHash!;
    expect(stored).not.toBe(legacy);
    expect(await argon2.verify(stored, NFC)).toBe(true);
    expect(await t.get(PasswordHasher).verify(stored, NFD)).toBe(true);
  });

  it('ASVS 6.2.1/6.2.4: a member cannot store a pre-hashed (64-hex SHA-256) password; an administrator can', async () => {
    const g = await createGroup(t);
    const member = await loginAs(t, await createUser(t, g));
    const admin = await loginAs(t, await createAdmin(t, g));
    const hash = createHash('sha256').update('a').digest('hex');
    const byMember = uniq('m');
    const r = await t.http().post('/rest/v2/user').set(bearer(member.token)).send({ login: byMember, passwordHash: hash });
    expect(r.status).toBe(200);
    // The 64-hex value became the password itself: 'a' does not open the account.
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${byMember}`, 'a'))
      .expect(401);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${byMember}`, hash))
      .expect(200);
    const byAdmin = uniq('a');
    await t.http().post('/rest/v2/user').set(bearer(admin.token)).send({ login: byAdmin, passwordHash: hash }).expect(200);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${byAdmin}`, 'a'))
      .expect(200);
  });

  async function changeOwnPassword(token: string, password: string, query = '') {
    const me = await t.http().get('/rest/v2/user/current').set(bearer(token)).expect(200);
    return t
      .http()
      .put(`/rest/v2/user${query}`)
      .set(bearer(token))
      .send({ ...me.body, passwordHash: password });
  }

  it("ASVS 7.4.3: changing one's own password through PUT /user ends the other sessions by default, the calling one stays", async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const here = await loginAs(t, u);
    const elsewhere = await loginAs(t, u);
    await t.http().get('/rest/v2/user/current').set(bearer(elsewhere.token)).expect(200);
    expect((await changeOwnPassword(here.token, 'the-new-password-after-change')).status).toBe(200);
    await t.http().get('/rest/v2/user/current').set(bearer(elsewhere.token)).expect(401);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', elsewhere.refreshToken).expect(401);
    await t.http().get('/rest/v2/user/current').set(bearer(here.token)).expect(200);
    await t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', here.refreshToken).expect(200);
  });

  it('ASVS 7.4.3: endOtherSessions=false keeps the other sessions; a bad value is a 400 that changes nothing', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const here = await loginAs(t, u);
    const elsewhere = await loginAs(t, u);
    expect((await changeOwnPassword(here.token, 'another-new-password-here', '?endOtherSessions=maybe')).status).toBe(400);
    await t
      .http()
      .get('/rest/v2/user/current')
      .set(basic(`${g.id}/${u.login}`, u.password))
      .expect(200);
    expect((await changeOwnPassword(here.token, 'another-new-password-here', '?endOtherSessions=false')).status).toBe(200);
    await t.http().get('/rest/v2/user/current').set(bearer(elsewhere.token)).expect(200);
  });

  it('ASVS 6.2.1/6.2.4: self-registration (accounts profile) never stores a pre-hashed password, though it runs in the system context', async () => {
    const smtp = new SmtpSink();
    const reg = await startApp({ env: { SMTP_URL: await smtp.start(), CAREGATE_REGISTRATION_GROUP: 'reg-sec' } });
    try {
      await createGroup(reg, { id: 'reg-sec' });
      const hex = createHash('sha256').update('a').digest('hex');
      const r = await reg
        .http()
        .post('/v1/users')
        .send({ user: { email: 'hex.registrant@example.org', password: hex, first_name: 'Hex', last_name: 'Registrant' } });
      expect(r.status).toBeLessThan(300);
      const stored = await reg.get(UsersRepository).findByEmail(RequestContext.system('reg-sec'), 'hex.registrant@example.org');
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await reg.get(PasswordHasher).verify(stored!.passwordHash, 'a')).toBe(false);
      expect(await reg.get(PasswordHasher).verify(stored!.passwordHash, hex)).toBe(true);
    } finally {
      await reg.close();
      await smtp.stop();
    }
  });
});
