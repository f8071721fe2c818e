import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: `Caregate listening on http://${config.host}:${config.port} (Swagger UI at /api, database ${config.databaseUrl ? 'postgres' : config.sqliteFile})` })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`Caregate failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
