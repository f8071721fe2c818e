import { DataSource } from 'typeorm';
import { FakeClock } from '../../../src/common/clock';
import { bearer, createAdmin, createGroup, createUser, loginAs, TestUser, uniq } from '../../support/fixtures';
import { codeIn, resetTokenIn, SmsSink, SmtpSink } from '../../support/mail-sinks';
import { startApp, TestApp } from '../../support/test-app';
import { body } from '../../support/body';
import { WebhookDispatcher } from '../../../src/webhooks/webhook-dispatcher';

/**
 * Every state-changing operation of the OpenAPI document, in every profile, records exactly the
 * expected domain events (read from the outbox in commit order). Read-only and not-implemented
 * POSTs are listed with no events; an operation missing from the table fails the first test.
 */
const REG = uniq('reg');
const WRITE = ['post', 'put', 'patch', 'delete'];

interface State {
  t: TestApp;
  admin: TestUser;
  token: string;
  group: string;
  child: string;
  s: Record<string, string>;
}
type Expected = [action: string, subject?: string][];
type Case = { op: string; label?: string; run: (st: State) => Promise<Expected> };

const H = (st: State) => bearer(st.token);
const ok = async (p: PromiseLike<{ status: number; body: unknown }>, status = 200) => {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body as Record<string, unknown> & { id: string; rev: string };
};

const clock = new FakeClock(Date.now());
const smtp = new SmtpSink();
const sms = new SmsSink();

const CASES: Case[] = [
  // --- native users ---
  {
    op: 'POST /rest/v2/user',
    run: async (st) => {
      const u = await ok(
        st.t
          .http()
          .post('/rest/v2/user')
          .set(H(st))
          .send({ login: uniq('n'), passwordHash: 'a-long-enough-password' }),
      );
      st.s.native = u.id;
      return [['user.created', u.id]];
    },
  },
  {
    op: 'PUT /rest/v2/user',
    run: async (st) => {
      const doc = await ok(st.t.http().get(`/rest/v2/user/${st.s.native}`).set(H(st)));
      await ok(
        st.t
          .http()
          .put('/rest/v2/user')
          .set(H(st))
          .send({ ...doc, name: 'Changed' }),
      );
      return [['user.updated', st.s.native]];
    },
  },
  {
    op: 'PUT /rest/v2/user',
    label: 'password, roles and status in one write',
    run: async (st) => {
      const doc = await ok(st.t.http().get(`/rest/v2/user/${st.s.native}`).set(H(st)));
      await ok(
        st.t
          .http()
          .put('/rest/v2/user')
          .set(H(st))
          .send({ ...doc, passwordHash: 'another-long-password', roles: ['ADMINISTRATOR'], status: 'DISABLED' }),
      );
      return [
        ['user.password_changed', st.s.native],
        ['user.roles_changed', st.s.native],
        ['user.disabled', st.s.native],
      ];
    },
  },
  {
    op: 'PUT /rest/v2/user/{userId}/properties',
    run: async (st) => {
      await ok(
        st.t
          .http()
          .put(`/rest/v2/user/${st.s.native}/properties`)
          .set(H(st))
          .send([{ type: { identifier: 'x' }, typedValue: { type: 'STRING', stringValue: 'y' } }]),
      );
      return [['user.updated', st.s.native]];
    },
  },
  {
    op: 'POST /rest/v2/user/token/{userId}/{key}',
    run: async (st) => {
      await ok(st.t.http().post(`/rest/v2/user/token/${st.s.native}/k1`).set(H(st)));
      return [['app_token.issued', st.s.native]];
    },
  },
  {
    op: 'POST /rest/v2/user/inGroup/{groupId}/token/{userId}/{key}',
    run: async (st) => {
      await ok(st.t.http().post(`/rest/v2/user/inGroup/${st.group}/token/${st.s.native}/k2`).set(H(st)));
      return [['app_token.issued', st.s.native]];
    },
  },
  {
    op: 'POST /rest/v2/user/inAllGroups/token/{userIdentifier}/{key}',
    run: async (st) => {
      await ok(st.t.http().post(`/rest/v2/user/inAllGroups/token/${st.admin.login}/k3`).set(H(st)));
      return [['app_token.issued', st.admin.user.id]];
    },
  },
  {
    op: 'POST /rest/v2/user/inGroup/{groupId}',
    run: async (st) => {
      const u = await ok(
        st.t
          .http()
          .post(`/rest/v2/user/inGroup/${st.child}`)
          .set(H(st))
          .send({ login: uniq('c') }),
      );
      st.s.childUser = u.id;
      return [['user.created', u.id]];
    },
  },
  {
    op: 'PUT /rest/v2/user/inGroup/{groupId}',
    run: async (st) => {
      const doc = await ok(st.t.http().get(`/rest/v2/user/inGroup/${st.child}/${st.s.childUser}`).set(H(st)));
      await ok(
        st.t
          .http()
          .put(`/rest/v2/user/inGroup/${st.child}`)
          .set(H(st))
          .send({ ...doc, email: `${uniq('e')}@example.org` }),
      );
      return [['user.updated', st.s.childUser]];
    },
  },
  {
    op: 'DELETE /rest/v2/user/inGroup/{groupId}/{userId}',
    run: async (st) => {
      await ok(st.t.http().delete(`/rest/v2/user/inGroup/${st.child}/${st.s.childUser}`).set(H(st)));
      return [['user.deleted', st.s.childUser]];
    },
  },
  {
    op: 'DELETE /rest/v2/user/{userId}',
    run: async (st) => {
      await ok(st.t.http().delete(`/rest/v2/user/${st.s.native}`).set(H(st)));
      return [['user.deleted', st.s.native]];
    },
  },
  {
    op: 'PUT /rest/v2/user/current/hcparty/{healthcarePartyId}',
    run: async (st) => {
      const h = await ok(st.t.http().post('/rest/v2/hcparty').set(H(st)).send({ lastName: 'Own' }));
      await ok(st.t.http().put(`/rest/v2/user/current/hcparty/${h.id}`).set(H(st)));
      return [
        ['hcp.created', h.id],
        ['user.updated', st.admin.user.id],
      ];
    },
  },
  {
    op: 'POST /rest/v2/user/filter',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .post('/rest/v2/user/filter')
          .set(H(st))
          .send({ filter: { $type: 'AllUsersFilter' } }),
      ),
      []
    ),
  },
  {
    op: 'POST /rest/v2/user/filter/inGroup/{groupId}',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .post(`/rest/v2/user/filter/inGroup/${st.group}`)
          .set(H(st))
          .send({ filter: { $type: 'AllUsersFilter' } }),
      ),
      []
    ),
  },
  {
    op: 'POST /rest/v2/user/match',
    run: async (st) => (await ok(st.t.http().post('/rest/v2/user/match').set(H(st)).send({ $type: 'AllUsersFilter' })), []),
  },
  {
    op: 'POST /rest/v2/user/forgottenPassword/{email}',
    run: async (st) => (await st.t.http().post('/rest/v2/user/forgottenPassword/nobody@example.org').send({}), []),
  },
  // --- native auth ---
  {
    op: 'POST /rest/v2/auth/login',
    run: async (st) => {
      const r = await ok(
        st.t
          .http()
          .post('/rest/v2/auth/login')
          .send({ username: `${st.group}/${st.admin.login}`, password: st.admin.password }),
      );
      st.s.refresh = String(r.refreshToken);
      st.s.access = String(r.token);
      return [['login.succeeded', st.admin.user.id]];
    },
  },
  {
    op: 'POST /rest/v2/auth/login',
    label: 'wrong password, then lockout',
    run: async (st) => {
      const victim = await createUser(st.t, st.group);
      for (let i = 0; i < 2; i++)
        await st.t.http().post('/rest/v2/auth/login').send({ username: victim.login, password: 'wrong-password-here' });
      return [
        ['login.failed', victim.user.id],
        ['login.failed', victim.user.id],
        ['account.locked', victim.user.id],
      ];
    },
  },
  {
    op: 'POST /rest/v2/auth/check',
    run: async (st) => (
      await ok(st.t.http().post('/rest/v2/auth/check').send({ username: st.admin.login, password: st.admin.password })),
      []
    ),
  },
  {
    op: 'POST /rest/v2/auth/refresh',
    run: async (st) => (await ok(st.t.http().post('/rest/v2/auth/refresh').set('Refresh-Token', st.s.refresh)), []),
  },
  {
    op: 'POST /rest/v2/auth/switch/{groupId}',
    run: async (st) => (await st.t.http().post(`/rest/v2/auth/switch/${st.group}`).set('Refresh-Token', st.s.refresh), []),
  },
  { op: 'POST /rest/v2/auth/login/{thirdParty}', run: async (st) => (await st.t.http().post('/rest/v2/auth/login/google').send({}), []) },
  {
    op: 'POST /rest/v2/auth/logout',
    run: async (st) => {
      await ok(st.t.http().post('/rest/v2/auth/logout').set(bearer(st.s.access)));
      return [['session.revoked']];
    },
  },
  {
    op: 'POST /rest/v2/auth/invalidate',
    run: async (st) => {
      const r = await ok(st.t.http().post('/rest/v2/auth/login').send({ username: st.admin.login, password: st.admin.password }));
      await ok(st.t.http().post('/rest/v2/auth/invalidate').set('Refresh-Token', String(r.refreshToken)));
      return [['login.succeeded', st.admin.user.id], ['session.revoked']];
    },
  },
  // --- native groups ---
  {
    op: 'POST /rest/v2/group/{id}',
    run: async (st) => {
      st.s.g = uniq('grp');
      await ok(
        st.t
          .http()
          .post(`/rest/v2/group/${st.s.g}`)
          .query({ name: 'New' })
          .set(H(st))
          .send({ users: [{ login: uniq('seed') }] }),
      );
      return [['group.created', st.s.g], ['user.created']];
    },
  },
  {
    op: 'PUT /rest/v2/group/{id}/name/{name}',
    run: async (st) => (await ok(st.t.http().put(`/rest/v2/group/${st.s.g}/name/Renamed`).set(H(st))), [['group.renamed', st.s.g]]),
  },
  {
    op: 'PUT /rest/v2/group/{id}/properties',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .put(`/rest/v2/group/${st.s.g}/properties`)
          .set(H(st))
          .send({ properties: [{ type: { identifier: 'p' } }] }),
      ),
      [['group.updated', st.s.g]]
    ),
  },
  {
    op: 'PUT /rest/v2/group/{id}/parent/{superGroupId}',
    run: async (st) => (await ok(st.t.http().put(`/rest/v2/group/${st.s.g}/parent/${st.child}`).set(H(st))), [['group.moved', st.s.g]]),
  },
  {
    op: 'DELETE /rest/v2/group/{id}',
    run: async (st) => (await ok(st.t.http().delete(`/rest/v2/group/${st.s.g}`).set(H(st))), [['group.deleted', st.s.g]]),
  },
  {
    op: 'DELETE /rest/v2/group/hard/{id}',
    run: async (st) => {
      const g = uniq('hard');
      await ok(st.t.http().post(`/rest/v2/group/${g}`).query({ name: 'Doomed' }).set(H(st)));
      await ok(st.t.http().delete(`/rest/v2/group/hard/${g}`).set(H(st)));
      return [
        ['group.created', g],
        ['group.purged', g],
      ];
    },
  },
  {
    op: 'POST /rest/v2/group/register/trial',
    run: async (st) => {
      const r = await ok(
        st.t
          .http()
          .post('/rest/v2/group/register/trial')
          .send({ emailAddress: `${uniq('trial')}@example.org` }),
      );
      return [
        ['group.created', String(r.groupId)],
        ['user.created', String(r.userId)],
        ['app_token.issued', String(r.userId)],
      ];
    },
  },
  {
    op: 'POST /rest/v2/user/inGroup/{groupId}/import',
    run: async (st) => {
      const r = await ok(
        st.t
          .http()
          .post(`/rest/v2/user/inGroup/${st.group}/import`)
          .set(H(st))
          .send({ users: [{ login: uniq('imp') }, { login: uniq('imp'), passwordHash: 'a'.repeat(64) }] }),
      );
      const rows = (r as unknown as { rows: { id: string }[] }).rows;
      return rows.map((row): [string, string] => ['user.created', row.id]);
    },
  },
  {
    op: 'POST /rest/v2/keys/reload',
    label: 'key reload: configuration of the service, no tenant event',
    run: async (st) => {
      await st.t.http().post('/rest/v2/keys/reload').set(H(st));
      return [];
    },
  },
  ...[
    'POST /rest/v2/group/storage/info',
    'POST /rest/v2/group/{id}/conflicts',
    'PUT /rest/v2/group/{id}/dd',
    'PUT /rest/v2/group/{id}/password',
    'POST /rest/v2/group/{id}/reset/storage',
  ].map((op): Case => ({
    op,
    label: 'not implemented (501)',
    run: async (st) => {
      const [m, p] = op.split(' ');
      await ok(st.t.http()[m.toLowerCase() as 'post'](p.replace('{id}', st.group)).set(H(st)).send({ ids: [] }), 501);
      return [];
    },
  })),
  // --- native healthcare parties ---
  {
    op: 'POST /rest/v2/hcparty',
    run: async (st) => {
      const h = await ok(st.t.http().post('/rest/v2/hcparty').set(H(st)).send({ lastName: 'Doc', firstName: 'A' }));
      st.s.hcp = h.id;
      return [['hcp.created', h.id]];
    },
  },
  {
    op: 'PUT /rest/v2/hcparty',
    run: async (st) => {
      const h = await ok(st.t.http().get(`/rest/v2/hcparty/${st.s.hcp}`).set(H(st)));
      await ok(
        st.t
          .http()
          .put('/rest/v2/hcparty')
          .set(H(st))
          .send({ ...h, firstName: 'B' }),
      );
      return [['hcp.updated', st.s.hcp]];
    },
  },
  {
    op: 'DELETE /rest/v2/hcparty/{healthcarePartyIds}',
    run: async (st) => (await ok(st.t.http().delete(`/rest/v2/hcparty/${st.s.hcp}`).set(H(st))), [['hcp.deleted', st.s.hcp]]),
  },
  {
    op: 'POST /rest/v2/hcparty/inGroup/{groupId}',
    run: async (st) => {
      const h = await ok(st.t.http().post(`/rest/v2/hcparty/inGroup/${st.child}`).set(H(st)).send({ lastName: 'Kid' }));
      st.s.hcpChild = h.id;
      return [['hcp.created', h.id]];
    },
  },
  {
    op: 'PUT /rest/v2/hcparty/inGroup/{groupId}',
    run: async (st) => {
      const [h] = (await ok(
        st.t
          .http()
          .post(`/rest/v2/hcparty/inGroup/${st.child}/byIds`)
          .set(H(st))
          .send({ ids: [st.s.hcpChild] }),
      )) as unknown as Record<string, unknown>[];
      await ok(
        st.t
          .http()
          .put(`/rest/v2/hcparty/inGroup/${st.child}`)
          .set(H(st))
          .send({ ...h, lastName: 'Kidd' }),
      );
      return [['hcp.updated', st.s.hcpChild]];
    },
  },
  {
    op: 'DELETE /rest/v2/hcparty/inGroup/{groupId}/{ids}',
    run: async (st) => (
      await ok(st.t.http().delete(`/rest/v2/hcparty/inGroup/${st.child}/${st.s.hcpChild}`).set(H(st))),
      [['hcp.deleted', st.s.hcpChild]]
    ),
  },
  {
    op: 'POST /rest/v2/hcparty/register/inGroup/{groupId}',
    run: async (st) => {
      const r = await ok(st.t.http().post(`/rest/v2/hcparty/register/inGroup/${st.child}`).set(H(st)).send({ lastName: 'Reg' }));
      return [['hcp.created'], ['user.created', String(r.userId)], ['hcp.updated'], ['app_token.issued', String(r.userId)]];
    },
  },
  {
    op: 'POST /rest/v2/hcparty/filter',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .post('/rest/v2/hcparty/filter')
          .set(H(st))
          .send({ filter: { $type: 'AllHealthcarePartiesFilter' } }),
      ),
      []
    ),
  },
  {
    op: 'POST /rest/v2/hcparty/match',
    run: async (st) => (await ok(st.t.http().post('/rest/v2/hcparty/match').set(H(st)).send({ $type: 'AllHealthcarePartiesFilter' })), []),
  },
  {
    op: 'POST /rest/v2/hcparty/inGroup/{groupId}/byIds',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .post(`/rest/v2/hcparty/inGroup/${st.child}/byIds`)
          .set(H(st))
          .send({ ids: ['x'] }),
      ),
      []
    ),
  },
  // --- Infermedica-style ---
  {
    op: 'POST /api/mgp/v1/users',
    run: async (st) => {
      const u = await ok(
        st.t
          .http()
          .post('/api/mgp/v1/users')
          .set(H(st))
          .send({ email: `${uniq('inf')}@example.org` }),
      );
      st.s.inf = u.id;
      return [['user.created', u.id]];
    },
  },
  {
    op: 'PATCH /api/mgp/v1/users/{user_id}',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .patch(`/api/mgp/v1/users/${st.s.inf}`)
          .set(H(st))
          .send({ email: `${uniq('inf2')}@example.org` }),
      ),
      [['user.updated', st.s.inf]]
    ),
  },
  {
    op: 'DELETE /api/mgp/v1/users/{user_id}',
    run: async (st) => (await ok(st.t.http().delete(`/api/mgp/v1/users/${st.s.inf}`).set(H(st)), 204), [['user.purged', st.s.inf]]),
  },
  // --- Nabla-style ---
  {
    op: 'POST /v1/copilot-api/server/users',
    run: async (st) => {
      const u = await ok(
        st.t
          .http()
          .post('/v1/copilot-api/server/users')
          .set(H(st))
          .send({ email: `${uniq('nab')}@example.org` }),
        201,
      );
      st.s.nabla = u.id;
      return [['user.created', u.id]];
    },
  },
  {
    op: 'PATCH /v1/copilot-api/server/users/{id}',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .patch(`/v1/copilot-api/server/users/${st.s.nabla}`)
          .set(H(st))
          .send({ external_id: uniq('ext') }),
      ),
      [['user.updated', st.s.nabla]]
    ),
  },
  {
    op: 'POST /v1/copilot-api/server/users/{id}/deactivate',
    run: async (st) => (
      await ok(st.t.http().post(`/v1/copilot-api/server/users/${st.s.nabla}/deactivate`).set(H(st))),
      [['user.disabled', st.s.nabla]]
    ),
  },
  {
    op: 'POST /v1/copilot-api/server/users/{id}/activate',
    run: async (st) => (
      await ok(st.t.http().post(`/v1/copilot-api/server/users/${st.s.nabla}/activate`).set(H(st))),
      [['user.enabled', st.s.nabla]]
    ),
  },
  // --- accounts lifecycle ---
  {
    op: 'POST /v1/users',
    run: async (st) => {
      st.s.accEmail = `${uniq('acc')}@example.org`;
      const u = await ok(
        st.t
          .http()
          .post('/v1/users')
          .send({ user: { email: st.s.accEmail, password: 'a-long-enough-password', first_name: 'Ann', last_name: 'Count' } }),
        201,
      );
      st.s.acc = u.id;
      return [['user.created', u.id]];
    },
  },
  {
    op: 'POST /v1/users/resend_confirmation',
    run: async (st) => (
      clock.advance(61_000),
      await ok(st.t.http().post('/v1/users/resend_confirmation').set({ 'X-User-Token': st.token }).send({ user_id: st.s.acc })),
      []
    ),
  },
  {
    op: 'POST /v1/users/confirmation',
    run: async (st) => {
      await ok(
        st.t
          .http()
          .post('/v1/users/confirmation')
          .send({ user_id: st.s.acc, confirmation_code: codeIn(smtp.lastTo(st.s.accEmail)) }),
      );
      return [
        ['user.enabled', st.s.acc],
        ['user.updated', st.s.acc],
      ];
    },
  },
  {
    op: 'POST /v1/users/email_has_account',
    run: async (st) => (await ok(st.t.http().post('/v1/users/email_has_account').send({ email: st.s.accEmail })), []),
  },
  {
    op: 'POST /v1/users/passwords',
    run: async (st) => (await ok(st.t.http().post('/v1/users/passwords').send({ email: st.s.accEmail })), []),
  },
  {
    op: 'POST /v1/users/passwords/reset',
    run: async (st) => {
      await ok(
        st.t
          .http()
          .post('/v1/users/passwords/reset')
          .send({ token: resetTokenIn(smtp.lastTo(st.s.accEmail)), password: 'brand new password' }),
      );
      return [['user.password_reset', st.s.acc]];
    },
  },
  {
    op: 'PUT /v1/users/{id}',
    run: async (st) => (
      await ok(
        st.t
          .http()
          .put(`/v1/users/${st.s.acc}`)
          .set({ 'X-User-Token': st.token })
          .send({ user: { first_name: 'Acc' } }),
      ),
      [['user.updated', st.s.acc]]
    ),
  },
  {
    op: 'POST /v1/users/{id}/cancel',
    run: async (st) => (
      await ok(st.t.http().post(`/v1/users/${st.s.acc}/cancel`).set({ 'X-User-Token': st.token })),
      [['user.disabled', st.s.acc]]
    ),
  },
  {
    op: 'DELETE /v1/users/{id}',
    run: async (st) => (
      await ok(st.t.http().delete(`/v1/users/${st.s.acc}`).set({ 'X-User-Token': st.token }), 204),
      [['user.purged', st.s.acc]]
    ),
  },
  // --- webhook registrations (settings by name; the secret never) ---
  {
    op: 'POST /rest/v2/webhook/inGroup/{groupId}',
    run: async (st) => {
      const h = await ok(
        st.t
          .http()
          .post(`/rest/v2/webhook/inGroup/${st.group}`)
          .set(H(st))
          .send({ url: 'http://127.0.0.1:9/hook', eventTypes: ['user.created'] }),
      );
      st.s.hook = h.id;
      return [['webhook.created', h.id]];
    },
  },
  {
    op: 'PUT /rest/v2/webhook/inGroup/{groupId}/{id}',
    run: async (st) => (
      await ok(
        st.t.http().put(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}`).set(H(st)).send({ eventTypes: null, description: 'all' }),
      ),
      [['webhook.updated', st.s.hook]]
    ),
  },
  {
    op: 'PUT /rest/v2/webhook/inGroup/{groupId}/{id}',
    label: 'no change',
    run: async (st) => (
      await ok(st.t.http().put(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}`).set(H(st)).send({ description: 'all' })),
      []
    ),
  },
  {
    op: 'POST /rest/v2/webhook/inGroup/{groupId}/{id}/rotate',
    run: async (st) => (
      await ok(st.t.http().post(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}/rotate`).set(H(st))),
      [['webhook.secret_rotated', st.s.hook]]
    ),
  },
  {
    op: 'POST /rest/v2/webhook/inGroup/{groupId}/{id}/deliveries/{deliveryId}/redeliver',
    run: async (st) => {
      // A delivery to redeliver: the events so far fan out to the hook (its URL refuses: a failed attempt).
      await st.t.get(WebhookDispatcher).runOnce();
      const [d] = body<{ id: string }[]>(
        await st.t.http().get(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}/deliveries`).set(H(st)).expect(200),
      );
      await ok(st.t.http().post(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}/deliveries/${d.id}/redeliver`).set(H(st)));
      return [['webhook.redelivered', st.s.hook]];
    },
  },
  {
    op: 'DELETE /rest/v2/webhook/inGroup/{groupId}/{id}',
    run: async (st) => (
      await ok(st.t.http().delete(`/rest/v2/webhook/inGroup/${st.group}/${st.s.hook}`).set(H(st))),
      [['webhook.deleted', st.s.hook]]
    ),
  },
];

async function maxPosition(t: TestApp): Promise<number> {
  const [r] = await t.get(DataSource).query<{ m: number | string | null }[]>('SELECT MAX(position) AS m FROM outbox_events');
  return Number(r.m ?? 0);
}

async function rowsAfter(t: TestApp, position: number): Promise<{ action: string; subject_id: string }[]> {
  const pg = t.get(DataSource).options.type === 'postgres';
  return t
    .get(DataSource)
    .query<{ action: string; subject_id: string }[]>(
      `SELECT action, subject_id FROM outbox_events WHERE position > ${pg ? '$1' : '?'} ORDER BY position`,
      [position],
    );
}

describe('domain events per operation (every profile)', () => {
  const st = { s: {} } as State;

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    const smsUrl = await sms.start();
    st.t = await startApp({
      clock,
      env: {
        SMTP_URL: smtpUrl,
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: smsUrl,
        CAREGATE_REGISTRATION_GROUP: REG,
        CAREGATE_TRIAL_REGISTRATION: 'true',
        CAREGATE_LOCKOUT_THRESHOLD: '2',
        CAREGATE_WEBHOOK_ALLOW_PRIVATE: 'true',
      },
    });
    st.group = (await createGroup(st.t, { id: REG, superAdmin: true })).id;
    st.child = (await createGroup(st.t, { parent: st.group })).id;
    st.admin = await createAdmin(st.t, st.group);
    st.token = (await loginAs(st.t, st.admin)).token;
  });
  afterAll(async () => {
    await st.t.close();
    await smtp.stop();
    await sms.stop();
  });

  it('classifies every write operation of the OpenAPI document', async () => {
    const doc = (await st.t.http().get('/api-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([p, item]) => WRITE.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    const covered = new Set(CASES.map((c) => c.op));
    expect(ops.filter((op) => !covered.has(op))).toEqual([]);
    expect([...covered].filter((op) => !ops.includes(op))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.label ? `${c.op} (${c.label})` : c.op, c] as const))('%s', async (_name, c) => {
    if (c.op === 'POST /rest/v2/auth/login' && c.label) {
      // The fixture user is created first; only the route's own events count.
      const expected = await c.run(st);
      const all = await rowsAfter(st.t, (await maxPosition(st.t)) - expected.length);
      expect(all.map((r) => [r.action, r.subject_id])).toEqual(expected);
      return;
    }
    const before = await maxPosition(st.t);
    const expected = await c.run(st);
    const got = await rowsAfter(st.t, before);
    expect(got.map((r) => r.action)).toEqual(expected.map((e) => e[0]));
    expected.forEach(([, subject], i) => {
      if (subject !== undefined) expect(got[i].subject_id).toBe(subject);
    });
  });
});
