/**
 * Prints the SQL that would bring the database at DATABASE_URL (or the SQLite file) in line with the
 * entities. `--check` exits 1 when there is any (migration drift); otherwise the statements are
 * printed as a migration body for the dialect.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config';
import { dataSourceOptions } from '../src/database/data-source-options';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const config = loadConfig();
  const ds = new DataSource(dataSourceOptions(config));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const sql = await ds.driver.createSchemaBuilder().log();
    if (check) {
      if (sql.upQueries.length) {
        console.error(`Migration drift on ${ds.options.type}: the entities need ${sql.upQueries.length} statement(s):`);
        for (const q of sql.upQueries) console.error(`  ${q.query}`);
        process.exit(1);
      }
      console.log(`No migration drift on ${ds.options.type}.`);
      return;
    }
    for (const q of sql.upQueries) console.log(`    await queryRunner.query(${JSON.stringify(q.query)});`);
    console.log('--- down');
    for (const q of sql.downQueries.reverse()) console.log(`    await queryRunner.query(${JSON.stringify(q.query)});`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
