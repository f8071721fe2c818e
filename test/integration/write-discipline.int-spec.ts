import { RequestContext } from '../../src/common/request-context';
import { PasswordHasher } from '../../src/credentials/password/password-hasher';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { UsersRepository } from '../../src/users/users.repository';
import { blankUser } from '../../src/users/users.service';
import { testDatabaseUrl } from '../support/database';
import { createGroup } from '../support/fixtures';
import { startApp, TestApp } from '../support/test-app';

/** The rules of TransactionRunner's doc comment, held on a real database. */
describe('write discipline', () => {
  let t: TestApp;
  let tx: TransactionRunner;
  let users: UsersRepository;
  let ctx: RequestContext;

  beforeAll(async () => {
    t = await startApp();
    tx = t.get(TransactionRunner);
    users = t.get(UsersRepository);
    ctx = RequestContext.system((await createGroup(t)).id);
  });
  afterAll(() => t.close());

  const newUser = (login: string) => Object.assign(blankUser(Date.now()), { login });

  it('no request reads another request’s uncommitted write; a rollback takes only its own statements', async () => {
    let release!: () => void;
    let inserted!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const written = new Promise<void>((r) => (inserted = r));
    const u = newUser('uncommitted');
    const failing = tx.run(ctx, async (t1) => {
      await users.insert(t1, u);
      inserted();
      await gate;
      throw new Error('rolled back on purpose');
    });
    await written;
    // Another request, outside that transaction, neither sees the row nor joins the transaction.
    expect(await users.findOneInGroup(ctx, u.id)).toBeNull();
    const other = users.insert(ctx, newUser('beside'));
    release();
    await expect(failing).rejects.toThrow('rolled back on purpose');
    const kept = await other;
    expect(await users.findOneInGroup(ctx, u.id)).toBeNull();
    expect(await users.findOneInGroup(ctx, kept.id)).not.toBeNull();
  });

  it('slow work inside a transaction fails loudly (argon2 hashing)', async () => {
    const hasher = t.get(PasswordHasher);
    await expect(tx.run(ctx, () => hasher.hash('a-long-enough-password'))).rejects.toThrow(/inside a database transaction/);
    await expect(hasher.hash('a-long-enough-password')).resolves.toMatch(/^\$argon2id\$/);
  });

  (testDatabaseUrl() ? it.skip : it)('on SQLite a write outside run() is refused by the read-only connection', async () => {
    await expect(tx.manager(ctx).query(`UPDATE users SET name = 'x' WHERE group_id = ?`, [ctx.groupId])).rejects.toThrow(/readonly/);
  });

  it('a nested run with a fresh context joins the open transaction instead of waiting for itself', async () => {
    const u = newUser('nested');
    await expect(
      tx.run(ctx, async () => {
        await tx.run(RequestContext.system(ctx.groupId), (inner) => users.insert(inner, u));
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await users.findOneInGroup(ctx, u.id)).toBeNull();
  });
});
