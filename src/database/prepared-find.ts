import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * A SELECT built once by TypeORM and then run as plain SQL, its rows hydrated through the column
 * metadata (transformers, booleans). For hot read paths: building a query with TypeORM's query
 * builder costs far more than running it on SQLite.
 */
export class PreparedFind<T extends ObjectLiteral> {
  private sql?: string;

  constructor(
    private readonly ds: DataSource,
    private readonly entity: EntityTarget<T>,
    private readonly where: string,
    private readonly paramNames: string[],
    private readonly orderBy?: string,
  ) {}

  async run(manager: EntityManager, params: unknown[]): Promise<T[]> {
    const meta = this.ds.getMetadata(this.entity);
    if (!this.sql) {
      const qb = this.ds
        .createQueryBuilder(this.entity, 'e')
        .where(this.where, Object.fromEntries(this.paramNames.map((n) => [n, `__${n}__`])));
      if (this.orderBy) qb.orderBy(this.orderBy);
      const [sql, values] = qb.getQueryAndParameters();
      // The builder numbers parameters in order of appearance; check they are ours, in our order.
      const expected = this.paramNames.map((n) => `__${n}__`);
      if (JSON.stringify(values) !== JSON.stringify(expected))
        throw new Error(`PreparedFind: unexpected parameter order ${JSON.stringify(values)}`);
      this.sql = sql;
    }
    const rows: Record<string, unknown>[] = await manager.query(this.sql, params);
    return rows.map((raw) => {
      const e = meta.create() as T;
      for (const col of meta.columns) {
        const v = raw[`e_${col.databaseName}`];
        (e as Record<string, unknown>)[col.propertyName] = this.ds.driver.prepareHydratedValue(v, col);
      }
      return e;
    });
  }
}
