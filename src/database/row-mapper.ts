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
  }

  /** `alias."col", …` in entity column order. */
  select(alias: string): string {
    return this.cols.map((c) => `${alias}."${c.db}"`).join(', ');
  }

  map(raw: Record<string, unknown>): T {
    const e = new this.entity() as Record<string, unknown>;
    for (const c of this.cols) {
      let v = raw[c.db];
      if (v === undefined) v = null;
      if (c.bool && v !== null) v = v === true || v === 1 || v === '1';
      e[c.prop] = c.from ? c.from(v) : v;
    }
    return e as T;
  }

  /** Placeholder builder for one statement, in the dialect's style. */
  params(): SqlParams {
    return new SqlParams(this.pg);
  }
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
