import { DataSource, ValueTransformer } from 'typeorm';

interface Col {
  db: string;
  prop: string;
  from?: (v: unknown) => unknown;
  bool: boolean;
}

/**
 * Hand-written SELECTs for hot and index-critical paths: the select list and the row -> entity
 * mapping come from the entity's public column metadata (names, transformers, booleans), so the
 * SQL the repository runs is exactly the SQL the plan tests read.
 */
export class RowMapper<T> {
  private readonly cols: Col[];
  readonly pg: boolean;
  /** `map`, compiled once per entity (see `compileMapper`). */
  readonly map: (raw: Record<string, unknown>) => T;
  /** The same for a row read as an array whose first columns are `select()`'s (`TransactionRunner.queryArrays`). */
  readonly mapArray: (row: unknown[]) => T;
  /** How many columns `select()` lists: a statement's own extra columns start at this index. */
  readonly width: number;
  /** Where `select()` lists the `id` column. */
  readonly idAt: number;

  constructor(
    ds: DataSource,
    private readonly entity: new () => T,
  ) {
    this.pg = ds.options.type === 'postgres';
    this.cols = ds.getMetadata(entity).columns.map((c) => {
      const t = c.transformer as ValueTransformer | undefined;
      return {
        db: c.databaseName,
        prop: c.propertyName,
        from: t && !Array.isArray(t) ? t.from.bind(t) : undefined,
        bool: c.type === 'boolean',
      };
    });
    this.map = compileMapper(entity, this.cols, (c) => JSON.stringify(c.db));
    this.mapArray = compileMapper(entity, this.cols, (_, i) => String(i));
    this.width = this.cols.length;
    this.idAt = this.cols.findIndex((c) => c.db === 'id');
  }

  /** `alias."col", …` in entity column order. */
  select(alias: string): string {
    return this.cols.map((c) => `${alias}."${c.db}"`).join(', ');
  }

  /**
   * `select()`'s columns, then the `extra` expressions, packed into one JSON array per row
   * (`json_build_array` on PostgreSQL, `json_array` on SQLite), for
   * `TransactionRunner.queryArrays(…, { packed: true })`, which unpacks it into the same array the
   * columns would give. Both drivers handle a result column by column on the main thread
   * (node-postgres sets up a parser per column at every execution, better-sqlite3 converts each
   * value), and one JSON text parsed by `JSON.parse` costs less than 40 columns: half the client
   * CPU of a PostgreSQL primary-key read, a third less for a 51-row SQLite page (README "Hot paths").
   */
  selectPacked(alias: string, extra: readonly string[] = []): string {
    const n = this.width + extra.length;
    // PostgreSQL functions take at most 100 arguments.
    if (n > 100) throw new Error(`a packed row holds at most 100 values, not ${n}`);
    return `${this.pg ? 'json_build_array' : 'json_array'}(${[this.select(alias), ...extra].join(', ')})`;
  }

  /** Placeholder builder for one statement, in the dialect's style. */
  params(): SqlParams {
    return new SqlParams(this.pg);
  }
}

/**
 * A row -> entity function for one entity, straight-line code with one statement per column: a
 * driver row (undefined -> null), booleans from 0/1, then the column's transformer. This is the
 * per-row cost of every hand-written SELECT, a loop over the column list costs about three times as
 * much. Column and property names come from the entity metadata and enter the code as JSON string
 * literals only; `key` says how a column is found in the row (its name, or its index in `select()`).
 */
function compileMapper<T, R>(entity: new () => T, cols: readonly Col[], key: (c: Col, i: number) => string): (raw: R) => T {
  const lines = cols.map((c, i) => {
    const bool = c.bool ? ` if (v !== null) v = v === true || v === 1 || v === '1';` : '';
    return `v = raw[${key(c, i)}]; if (v === undefined) v = null;${bool} e[${JSON.stringify(c.prop)}] = ${c.from ? `from[${i}](v)` : 'v'};`;
  });
  const body = `return function map(raw) {\n const e = new Entity();\n let v;\n ${lines.join('\n ')}\n return e;\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('Entity', 'from', body) as (e: new () => T, from: Col['from'][]) => (raw: R) => T;
  return factory(
    entity,
    cols.map((c) => c.from),
  );
}

export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly pg: boolean) {}

  /** A placeholder bound to `v`. */
  p(v: unknown): string {
    this.values.push(v);
    return this.pg ? `$${this.values.length}` : '?';
  }

  list(vs: unknown[]): string {
    return vs.map((v) => this.p(v)).join(', ');
  }
}
