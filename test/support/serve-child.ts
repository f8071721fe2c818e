/**
 * A Caregate server in a child process, for crash tests (kill -9): configuration from the
 * environment, optional TEST_SQLITE_FILE for the shared SQLite test database; prints
 * `{"port": n}` once listening on 127.0.0.1.
 */
import 'reflect-metadata';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (process.env.TEST_SQLITE_FILE) config.sqliteFile = process.env.TEST_SQLITE_FILE;
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
