import { expect } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../src/common/clock';
import { RequestContext } from '../../../src/common/request-context';
import { GroupsService } from '../../../src/groups/groups.service';
import { UsersService } from '../../../src/users/users.service';
import { body } from '../../support/body';
import { bearer, createAdmin, createGroup, createUser, loginAs, loginAsRootAdmin } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';

interface Refreshed {
  token: string;
  userId: string;
  groupId: string;
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { anc: string[]; roles: string[] };
const ecPem = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * The refresh fast path: a refresh token's signature is checked once per token and key, but every
 * refresh still reads the user, its live group chain and its session, and judges time afresh.
 */
describe('POST /rest/v2/auth/refresh: the same refresh token, many times', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caregate-refresh-'));
  const keyFile = path.join(dir, 'signing.pem');
  const publicKeys = path.join(dir, 'public-keys.json');
  const clock = new FakeClock(Date.now());
  let t: TestApp;

  beforeAll(async () => {
    fs.writeFileSync(keyFile, ecPem());
    t = await startApp({ clock, env: { CAREGATE_JWT_PRIVATE_KEY_FILE: keyFile, CAREGATE_JWT_PUBLIC_KEYS_FILE: publicKeys } });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const refresh = (refreshToken: string) => t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', refreshToken);

  it('each refresh carries the group chain of the moment: a moved group gives the new ancestors at once', async () => {
    const a = await createGroup(t);
    const b = await createGroup(t);
    const leaf = await createGroup(t, { parent: a });
    const u = await createUser(t, leaf);
    const { refreshToken } = await loginAs(t, u);
    const first = body<Refreshed>(await refresh(refreshToken).expect(200));
    expect(claimsOf(first.token).anc).toEqual(['root', a.id]);
    expect(claimsOf(body<Refreshed>(await refresh(refreshToken).expect(200)).token).anc).toEqual(['root', a.id]);

    await t.get(GroupsService).move(RequestContext.system('root', []), leaf.id, b.id);
    const moved = body<Refreshed>(await refresh(refreshToken).expect(200));
    expect(claimsOf(moved.token).anc).toEqual(['root', b.id]);
    await t.http().get('/rest/v2/user/current').set(bearer(moved.token)).expect(200);
  });

  it('a deleted group ends refreshes at once, even for a token refreshed just before', async () => {
    const g = await createGroup(t);
    const u = await createUser(t, g);
    const { refreshToken } = await loginAs(t, u);
    await refresh(refreshToken).expect(200);
    // The group alone (its sessions are not revoked here): the live-group check of the refresh refuses it.
    await t.get(GroupsService).softDelete(RequestContext.system('root'), g.id);
    await refresh(refreshToken).expect(401);
  });

  it('roles changed since the last refresh are in the next access token', async () => {
    const g = await createGroup(t);
    const u = await createAdmin(t, g);
    const { refreshToken } = await loginAs(t, u);
    expect(claimsOf(body<Refreshed>(await refresh(refreshToken).expect(200)).token).roles).toEqual(['ADMINISTRATOR']);
    await t.get(UsersService).update(RequestContext.system(g.id), u.user.id, { roles: [] });
    expect(claimsOf(body<Refreshed>(await refresh(refreshToken).expect(200)).token).roles).toEqual([]);
  });

  it('expiry is judged on every call: a token refreshed many times is refused once it has expired', async () => {
    const u = await createUser(t, 'root');
    const { refreshToken } = await loginAs(t, u);
    for (let i = 0; i < 3; i++) await refresh(refreshToken).expect(200);
    const saved = clock.now();
    try {
      clock.advance((t.config.jwt.refreshTtlSeconds + 60) * 1000);
      await refresh(refreshToken).expect(401);
    } finally {
      clock.advance(saved - clock.now());
    }
    // Back in its lifetime (the fake clock went back), the same token is good again: nothing was cached as refused.
    await refresh(refreshToken).expect(200);
  });

  it('a token refreshed with a key is refused as soon as that key is removed (reload)', async () => {
    const u = await createUser(t, 'root');
    const { refreshToken } = await loginAs(t, u);
    await refresh(refreshToken).expect(200);
    const admin = await loginAsRootAdmin(t);
    // Rotation without keeping the old public key: tokens it signed no longer verify.
    fs.writeFileSync(keyFile, ecPem());
    fs.writeFileSync(publicKeys, '{}');
    await t.http().post('/rest/v2/keys/reload').set(bearer(admin.token)).expect(200);
    await refresh(refreshToken).expect(401);
    const again = await loginAs(t, u);
    await refresh(again.refreshToken).expect(200);
  });

  it('a tampered copy of a token refreshed before is refused (the signature of the exact text)', async () => {
    const u = await createUser(t, 'root');
    const { refreshToken } = await loginAs(t, u);
    await refresh(refreshToken).expect(200);
    const [h, p, s] = refreshToken.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = [h, Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url'), s].join('.');
    await refresh(forged).expect(401);
    // One bit of the signature flipped. (Rewriting the text's last characters could leave the decoded
    // signature as it was: the last base64url character carries padding bits, which decoders ignore.)
    const sig = Buffer.from(s, 'base64url');
    sig[0] ^= 0x01;
    await refresh([h, p, sig.toString('base64url')].join('.')).expect(401);
    await refresh(refreshToken).expect(200);
  });
});
