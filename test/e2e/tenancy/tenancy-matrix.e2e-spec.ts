import { DataSource } from 'typeorm';
import { AuthenticationTokenEntity } from '../../../src/credentials/app-tokens/authentication-token.entity';
import { GroupEntity } from '../../../src/groups/group.entity';
import { HealthcarePartyEntity } from '../../../src/healthcare-parties/healthcare-party.entity';
import { UserEntity } from '../../../src/users/user.entity';
import { bearer, createAdmin, createGroup, createUser, loginAs, uniq } from '../../support/fixtures';
import { startApp, TestApp } from '../../support/test-app';
import { Fixture, NON_TENANT_ROUTES, RouteCase, ROUTES, unclassified } from './route-table';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Generated from the running app's OpenAPI document: every operation is either exercised with
 * another tenant's ids (ROUTES) or explicitly allow-listed (NON_TENANT_ROUTES); group B's rows must
 * be byte-identical before and after.
 */
describe('tenancy matrix (generated from /api-json)', () => {
  let t: TestApp;
  let f: Fixture;
  let ops: string[];
  const callers: Record<'adminA' | 'userA', string> = { adminA: '', userA: '' };

  beforeAll(async () => {
    t = await startApp();
    // root (bootstrap admin + a plain user), siblings A (superAdmin, so group creation reaches the tenancy check) and B, A's child A1, B's child B1.
    await createUser(t, 'root');
    const A = await createGroup(t, { name: 'Alpha', superAdmin: true });
    const B = await createGroup(t, { name: 'Beta' });
    const A1 = await createGroup(t, { parent: A });
    const B1 = await createGroup(t, { parent: B, name: 'Beta child' });
    const adminA = await loginAs(t, await createAdmin(t, A));
    callers.adminA = adminA.token;
    callers.userA = (await loginAs(t, await createUser(t, A))).token;
    await createAdmin(t, A1);
    await createUser(t, A1);
    const adminB = await createAdmin(t, B);
    const userB = await createUser(t, B);
    await createUser(t, B1);
    const bTok = (await loginAs(t, adminB)).token;
    await t
      .http()
      .post('/rest/v2/hcparty')
      .set(bearer(bTok))
      .send({
        id: 'hcp-b',
        lastName: 'Bee',
        name: 'Bee clinic',
        nihii: '999',
        speciality: 'persphysician',
        nihiiSpecCode: '001',
        addresses: [{ postalCode: '1000' }],
        publicKey: 'ff',
        hcPartyKeys: { 'hcp-b': ['x', 'y'] },
      })
      .expect(200);
    await t.http().post('/rest/v2/hcparty').set(bearer(bTok)).send({ id: 'hcp-b-kid', lastName: 'Kid', parentId: 'hcp-b' }).expect(200);
    f = {
      groupA: A.id,
      groupB: B.id,
      groupA1: A1.id,
      hcpB: 'hcp-b',
      hcpBName: 'Bee clinic',
      userB: userB.user.id,
      userBLogin: userB.login,
      refreshA: adminA.refreshToken,
      fresh: () => uniq('fresh'),
    };
    const doc = (await t.http().get('/api-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    ops = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
  });
  afterAll(() => t.close());

  async function snapshotB(): Promise<string> {
    const ds = t.get(DataSource);
    const groups = (await ds.getRepository(GroupEntity).find()).filter((g) => g.path.includes(`/${f.groupB}/`));
    const ids = groups.map((g) => g.id);
    const rows = async <T extends object>(entity: new () => T) =>
      (await ds.getRepository(entity).createQueryBuilder('x').where('x.group_id IN (:...ids)', { ids }).getMany())
        .map((r) => JSON.stringify(r))
        .sort();
    return JSON.stringify({
      groups: groups.map((g) => JSON.stringify(g)).sort(),
      users: await rows(UserEntity),
      hcps: await rows(HealthcarePartyEntity),
      tokens: await rows(AuthenticationTokenEntity),
    });
  }

  it('every operation of the OpenAPI document is classified', () => {
    expect(ops.length).toBeGreaterThan(20);
    expect(unclassified(ops)).toEqual([]);
    // A route added without a table entry is caught.
    expect(unclassified([...ops, 'GET /rest/v2/new/{id}'])).toEqual(['GET /rest/v2/new/{id}']);
    const stale = [...Object.keys(ROUTES), ...NON_TENANT_ROUTES].filter((op) => !ops.includes(op));
    expect(stale).toEqual([]);
  });

  async function call(op: string, c: RouteCase, token: string | undefined) {
    const [method, template] = op.split(' ');
    const params = c.params(f);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (params[name] === undefined) throw new Error(`${op}: no fixture for {${name}}`);
      return encodeURIComponent(params[name]);
    });
    let req = t.http()[method.toLowerCase() as 'get'](path);
    if (token) req = req.set(bearer(token));
    for (const [k, v] of Object.entries(c.headers?.(f) ?? {})) req = req.set(k, v);
    if (c.query) req = req.query(c.query(f));
    return c.body ? req.send(c.body(f) as object) : req;
  }

  const leaks = (body: unknown) => {
    const s = JSON.stringify(body ?? null);
    return [f.hcpB, f.userB, 'Bee clinic'].filter((x) => s.includes(x));
  };

  it('every protected route of the table answers 401 without credentials', async () => {
    const failures: string[] = [];
    for (const [op, c] of Object.entries(ROUTES)) {
      const res = await call(op, { ...c, headers: undefined }, undefined);
      if (res.status !== 401) failures.push(`${op} -> ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(['adminA', 'userA'] as const)('%s cannot read or change group B through any route', async (who) => {
    const before = await snapshotB();
    const failures: string[] = [];
    for (const [op, c] of Object.entries(ROUTES)) {
      const res = await call(op, c, c.anonymous ? undefined : callers[who]);
      const want = c.expect ?? 404;
      const ok =
        who === 'adminA' || c.anonymous
          ? want === 'empty'
            ? res.status === 200 && leaks(res.body).length === 0
            : res.status === want
          : want === 'empty'
            ? (res.status === 200 && leaks(res.body).length === 0) || res.status === 403
            : [403, 404, want].includes(res.status);
      if (!ok) failures.push(`${op} -> ${res.status} (expected ${want}) ${JSON.stringify(res.body).slice(0, 200)}`);
      // Error bodies may echo the requested id; a successful body must carry none of B's data.
      if (res.status < 300 && leaks(res.body).length) failures.push(`${op} leaked ${leaks(res.body).join(', ')}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshotB()).toEqual(before);
  });
});
