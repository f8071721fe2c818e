import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ConflictError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import type { RawSqlite, RawStatement } from './data-source-options';
import { PgClient, statementName } from './statements';

/** How often a merge the server computes itself is retried after losing a revision race. */
export const MERGE_ATTEMPTS = 8;

/** Raw-mode statements kept prepared on the SQLite read connection (TypeORM keeps 100 of its own). */
const RAW_STATEMENTS = 200;

interface OpenTransaction {
  readonly manager: EntityManager;
  open: boolean;
}

/**
 * THE WRITE DISCIPLINE (every repository follows it; read it before adding a query).
 *
 * 1. Every write runs inside `run(ctx, tx => ...)`, in a transaction that belongs to exactly one
 *    request. A repository write method that may be called on its own wraps itself in `run`
 *    (which joins the caller's transaction when there is one). A write outside `run` fails loudly:
 *    on SQLite the manager outside a transaction is a read-only connection.
 * 2. Slow non-database work (argon2 hashing, mail/SMS delivery) happens BEFORE a transaction
 *    opens or after it commits, never inside (`assertNoTransaction` guards the hasher). On SQLite
 *    the transaction holds the only write connection for its whole duration.
 * 3. SQLite: one write connection, and transactions are serialized by the queue below, so one
 *    request's rollback can never touch another request's statements. Reads outside a transaction
 *    use a second, read-only connection: in WAL mode each read sees the last committed snapshot,
 *    never another request's uncommitted rows, and reads never wait for writers.
 *    PostgreSQL: a pooled connection per transaction; reads outside one use the pool (committed data).
 * 4. `manager(ctx)` is the only way to reach the database: the transaction's manager inside
 *    `run`, the read manager outside. Inside `run`, a context built afresh (e.g. a system context
 *    for another group) still joins the open transaction of its async call chain, so nested `run`
 *    calls never deadlock on the SQLite queue nor open a second PostgreSQL transaction.
 * 5. A merge the server computes from what it read (no client `rev`) runs through `runMerge`: on a
 *    revision conflict it re-reads and retries (bounded), so both databases give the same answers.
 *    A stale `rev` sent by a client is never retried: it is the client's 409.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ambient = new AsyncLocalStorage<OpenTransaction>();
  /**
   * Transactions open right now. When none is, `ambient` is disabled: an enabled AsyncLocalStorage
   * makes Node run a hook on every promise the process creates (reads included), and with no open
   * transaction there is nothing to find (a closed scope and no scope both mean "not inside run").
   * `run` enables it again.
   */
  private openScopes = 0;

  /**
   * `reader` is the read-only SQLite connection (`rawReader` its better-sqlite3 handle, for
   * `queryArrays`); PostgreSQL reads use the pool of `ds`.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly reader?: DataSource,
    private readonly rawReader?: RawSqlite,
  ) {}

  get dialect(): 'sqlite' | 'postgres' {
    return this.ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  async run<T>(ctx: RequestContext, work: (tx: RequestContext) => Promise<T>): Promise<T> {
    const joined = this.openManager(ctx);
    if (joined) return work(ctx.manager ? ctx : ctx.withManager(joined));
    const exec = () =>
      this.ds.transaction(async (manager) => {
        const scope: OpenTransaction = { manager, open: true };
        this.openScopes++;
        try {
          return await this.ambient.run(scope, () => work(ctx.withManager(manager)));
        } finally {
          scope.open = false;
          if (--this.openScopes === 0) this.ambient.disable();
        }
      });
    if (this.dialect === 'postgres') return exec();
    const result = this.queue.then(exec, exec);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * `run` for a read-merge-write whose revision the server chose itself: a STALE_REVISION conflict
   * (another request won the race) re-runs `work` in a new transaction, at most MERGE_ATTEMPTS
   * times. Inside an outer transaction the outer caller owns the outcome, so no retry here.
   */
  async runMerge<T>(ctx: RequestContext, work: (tx: RequestContext) => Promise<T>): Promise<T> {
    if (this.openManager(ctx)) return this.run(ctx, work);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(ctx, work);
      } catch (e) {
        if (attempt >= MERGE_ATTEMPTS || !(e instanceof ConflictError) || e.code !== 'STALE_REVISION') throw e;
      }
    }
  }

  manager(ctx: RequestContext): EntityManager {
    // Once the main DataSource is closed (shutdown, fault), reads fail with it rather than linger on the reader.
    const reads = this.reader && this.ds.isInitialized ? this.reader : this.ds;
    return this.openManager(ctx) ?? reads.manager;
  }

  /**
   * A read whose rows come back as arrays, in select-list order. Drivers build a row object by
   * defining one property per column: for a 40-column user row that costs as much again as reading
   * the row (a 51-row search page: 1.38 ms as objects, 0.72 ms as arrays, better-sqlite3 at a
   * million users), and the repositories map rows to entities anyway (`RowMapper.mapArray`).
   * - SQLite outside a transaction: the read-only connection's own statements in raw mode, cached
   *   by SQL text (bounded); errors come wrapped as TypeORM's `QueryFailedError`, as from the manager.
   * - PostgreSQL outside a transaction: node-postgres' `rowMode: 'array'` on a pooled connection
   *   TypeORM's query runner hands out. With `prepared` (reads whose plan cannot depend on their
   *   values: the primary-key reads of hot paths) it is a named prepared statement, through
   *   node-postgres' public `{ name, text, values }` query: PostgreSQL plans an unnamed statement at
   *   every execution (a join costs it about 0.1 ms of CPU each time), a named one once per connection.
   * - Inside a transaction (and on an in-memory SQLite database, which has no second connection):
   *   the transaction's manager runs it and each row's values are taken in order, so the select
   *   list must not name a column twice.
   * With `packed`, the statement's select list is `RowMapper.selectPacked`'s: each row is one JSON
   * array column (parsed by node-postgres, JSON text from SQLite), unpacked here into the row.
   */
  async queryArrays(
    ctx: RequestContext,
    sql: string,
    params: unknown[],
    o: { prepared?: boolean; packed?: boolean } = {},
  ): Promise<unknown[][]> {
    const rows = await this.rowsAsArrays(ctx, sql, params, o.prepared === true);
    return o.packed ? rows.map((r) => unpack(r[0])) : rows;
  }

  private async rowsAsArrays(ctx: RequestContext, sql: string, params: unknown[], prepared: boolean): Promise<unknown[][]> {
    const open = this.openManager(ctx);
    if (!open && this.dialect === 'postgres') {
      const runner = this.ds.createQueryRunner();
      try {
        const client = (await runner.connect()) as PgClient;
        const named = prepared ? { name: statementName(sql) } : {};
        return (await client.query({ ...named, text: sql, values: params, rowMode: 'array' })).rows as unknown[][];
      } finally {
        await runner.release();
      }
    }
    const raw = this.rawReader;
    if (!open && raw && this.ds.isInitialized && this.reader?.isInitialized) {
      try {
        return this.rawStatement(raw, sql).all(...params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))) as unknown[][];
      } catch (e) {
        throw new QueryFailedError(sql, params, e as Error);
      }
    }
    const rows = await this.manager(ctx).query<Record<string, unknown>[]>(sql, params);
    return rows.map((r) => Object.values(r));
  }

  private readonly rawStatements = new Map<string, RawStatement>();

  private rawStatement(db: RawSqlite, sql: string): RawStatement {
    let st = this.rawStatements.get(sql);
    if (!st) {
      st = db.prepare(sql).raw(true);
      this.rawStatements.set(sql, st);
      // Insertion order: the oldest statement goes first (text search and filters vary the SQL).
      if (this.rawStatements.size > RAW_STATEMENTS) this.rawStatements.delete(this.rawStatements.keys().next().value as string);
    }
    return st;
  }

  /** True while the current async call chain is inside `run`. */
  get inTransaction(): boolean {
    return this.ambient.getStore()?.open === true;
  }

  /** Guard for slow work (hashing, delivery) that must never hold a transaction open. */
  assertNoTransaction(what: string): void {
    if (this.inTransaction) throw new Error(`${what} inside a database transaction: do it before the transaction opens`);
  }

  async close(): Promise<void> {
    if (this.reader?.isInitialized) await this.reader.destroy().catch(() => undefined);
  }

  private openManager(ctx: RequestContext): EntityManager | undefined {
    if (ctx.manager) return ctx.manager;
    const scope = this.ambient.getStore();
    return scope?.open ? scope.manager : undefined;
  }
}

/** One packed row (`RowMapper.selectPacked`): the JSON array node-postgres parsed, or SQLite's JSON text. */
function unpack(v: unknown): unknown[] {
  return (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];
}
