/**
 * Writes a migration for one dialect from the difference between the migrated database at
 * DATABASE_URL (or SQLite) and the entities: `ts-node scripts/new-migration.ts Name Timestamp`.
 * Run it once per dialect with the same name and timestamp, then add the class to the index.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config';
import { dataSourceOptions, dialectOf } from '../src/database/data-source-options';

async function main(): Promise<void> {
  const [name, ts] = process.argv.slice(2);
  if (!name || !/^\d{13}$/.test(ts ?? '')) throw new Error('usage: new-migration.ts Name 1700000000000');
  const config = loadConfig();
  const dialect = dialectOf(config);
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    await ds.runMigrations();
    const sql = await ds.driver.createSchemaBuilder().log();
    const q = (s: string) => `    await queryRunner.query(${JSON.stringify(s)});`;
    const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((x) => q(x.query)).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${[...sql.downQueries]
  .reverse()
  .map((x) => q(x.query))
  .join('\n')}
  }
}
`;
    const file = path.join(__dirname, '..', 'src', 'database', 'migrations', dialect, `${ts}-${name}.ts`);
    fs.writeFileSync(file, body);
    console.log(`wrote ${file} (${sql.upQueries.length} statements)`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
