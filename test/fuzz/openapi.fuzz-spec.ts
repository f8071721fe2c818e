import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ROOT_GROUP_ID } from '../../src/provisioning/bootstrap.service';
import { createAdmin, createGroup, createUser, loginAs } from '../support/fixtures';
import { SmtpSink } from '../support/mail-sinks';
import { startApp, TestApp } from '../support/test-app';
import { Actor, FuzzRequest, IdPool, OWN_DOCUMENT, requestArbitrary } from './arbitraries';
import { loadOpenApi } from './openapi-model';
import { errorShapeProblem, profileOf, rowCounts } from './support';

/**
 * Property-based fuzzing of every operation of openapi.json, as an anonymous caller, a member and
 * an administrator. Invariants: never a 5xx; a 4xx is JSON in the owning profile's error shape and
 * writes nothing (row counts of every table unchanged); the server keeps serving.
 *
 * Replay: the seed is printed; `FUZZ_SEED=<seed> npx jest test/fuzz/openapi` reruns the same
 * requests (add `FUZZ_OPERATION=<operationId>` to run one operation). `FUZZ_RUNS` sets the runs per
 * operation (default 40); `FUZZ_TRACE=1` prints every request before it is sent.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const { operations, resolve } = loadOpenApi();
/** Far above any answer time (the slowest route answers in milliseconds): only a hang reaches it. */
const HANG_MS = 10000;
const selected = operations.filter((o) => !process.env.FUZZ_OPERATION || o.id === process.env.FUZZ_OPERATION);

describe(`openapi fuzz (FUZZ_SEED=${SEED}, ${RUNS} runs per operation)`, () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let fastify: FastifyInstance;
  const tokens: Record<Exclude<Actor, 'anonymous'>, string> = { member: '', administrator: '' };
  let ids: IdPool;
  let counts: Record<string, number>;
  const stats = { requests: 0, byStatus: {} as Record<number, number>, started: Date.now() };

  beforeAll(async () => {
    process.stdout.write(`openapi fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, ${selected.length} operations\n`);
    // A fuzzer sends many wrong passwords: lockouts and rate limits would only hide the routes.
    smtp = new SmtpSink();
    t = await startApp({ env: { CAREGATE_LOCKOUT_THRESHOLD: '1000', CAREGATE_TRIAL_REGISTRATION: 'true', SMTP_URL: await smtp.start() } });
    fastify = t.app.getHttpAdapter().getInstance();
    const home = await createGroup(t);
    const victimGroup = await createGroup(t);
    const otherTenant = await createGroup(t);
    const victim = await createUser(t, home, { email: 'victim@example.com' });
    const stranger = await createUser(t, otherTenant);
    ids = {
      victims: [victim.user.id, victimGroup.id, otherTenant.id, stranger.user.id, '00000000-0000-4000-8000-000000000000'],
      callers: [home.id, ROOT_GROUP_ID],
      logins: [victim.login, 'victim@example.com'],
    };
    await ensureActors(true, home.id);
    counts = await rowCounts(t);
  });

  afterAll(async () => {
    const seconds = ((Date.now() - stats.started) / 1000).toFixed(1);
    process.stdout.write(
      `openapi fuzz: FUZZ_SEED=${SEED}, ${stats.requests} requests over ${selected.length} operations in ${seconds}s, statuses ${JSON.stringify(stats.byStatus)}\n`,
    );
    await t?.close();
    await smtp?.stop();
  });

  let homeGroup = '';
  /** Fresh callers when a request legitimately ended them (logout, role change, a deleted session). */
  async function ensureActors(force: boolean, groupId = homeGroup): Promise<void> {
    homeGroup = groupId;
    for (const actor of ['member', 'administrator'] as const) {
      if (!force) {
        const res = await inject({ actor, method: 'GET', url: '/rest/v2/user/current', headers: {} });
        if (res.statusCode === 200) continue;
      }
      const who = actor === 'member' ? await createUser(t, homeGroup) : await createAdmin(t, ROOT_GROUP_ID);
      ids?.callers.push(who.user.id);
      tokens[actor] = (await loginAs(t, who)).token;
    }
  }

  async function inject(req: FuzzRequest) {
    const headers = { ...req.headers };
    if (req.actor !== 'anonymous') {
      headers.authorization = `Bearer ${tokens[req.actor]}`;
      headers['x-user-token'] = tokens[req.actor];
    }
    let body = req.body;
    if (body?.startsWith(OWN_DOCUMENT)) {
      const own = await fastify.inject({
        method: 'GET',
        url: '/rest/v2/user/current',
        headers: { authorization: headers.authorization ?? '' },
      });
      const current = own.statusCode === 200 ? own.json<Record<string, unknown>>() : {};
      body = JSON.stringify({ ...current, ...(JSON.parse(body.slice(OWN_DOCUMENT.length)) as Record<string, unknown>) });
      req.body = body;
    }
    return fastify.inject({ method: req.method, url: req.url, headers, ...(body !== undefined ? { payload: body } : {}) });
  }

  /** A request left unanswered means the server stopped serving: fail with the request, do not hang the run. */
  async function answered<T>(pending: Promise<T>, req: FuzzRequest): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${HANG_MS} ms: ${req.actor} ${req.method} ${req.url.slice(0, 300)}`)),
        HANG_MS,
      );
    });
    try {
      return await Promise.race([pending, hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  it.each(selected.map((o) => [o.id, o, operations.indexOf(o)] as const))('%s', async (_id, op, index) => {
    await ensureActors(false);
    counts = await rowCounts(t);
    await fc.assert(
      fc.asyncProperty(requestArbitrary(op, resolve, ids), async (req) => {
        if (process.env.FUZZ_TRACE)
          process.stderr.write(
            `TRACE ${op.id} ${req.actor} ${req.method} ${req.url.slice(0, 150)} ${JSON.stringify(req.headers).slice(0, 300)} ${(req.body ?? '').slice(0, 150)}\n`,
          );
        const res = await answered(inject(req), req);
        stats.requests++;
        stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
        const shown = () =>
          `${req.actor} ${req.method} ${req.url.slice(0, 300)} ${JSON.stringify(req.headers).slice(0, 300)} body=${(req.body ?? '').slice(0, 300)}\n-> ${res.statusCode} ${String(res.headers['content-type'])} ${res.body.slice(0, 500)}`;
        // 501 is the documented answer of the CouchDB-only operations Caregate does not implement.
        if (res.statusCode >= 500 && !(res.statusCode === 501 && res.json<{ code?: string }>().code === 'NOT_IMPLEMENTED'))
          throw new Error(`5xx: ${shown()}`);
        const after = await rowCounts(t);
        if (res.statusCode >= 400 && res.statusCode < 500) {
          if (res.headers['content-type'] !== 'application/json; charset=utf-8') throw new Error(`not JSON with charset: ${shown()}`);
          const problem = errorShapeProblem(profileOf(req.url.split('?')[0]), res.json());
          if (problem) throw new Error(`not in the profile's error shape (${problem}): ${shown()}`);
          const changed = Object.keys(after).filter((k) => after[k] !== counts[k]);
          if (changed.length) throw new Error(`a ${res.statusCode} changed row counts of ${changed.join(', ')}: ${shown()}`);
        }
        counts = after;
      }),
      { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
    );
    // still serving, for everyone
    expect((await fastify.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await ensureActors(false);
    expect((await inject({ actor: 'member', method: 'GET', url: '/rest/v2/user/current', headers: {} })).statusCode).toBe(200);
  });
});
