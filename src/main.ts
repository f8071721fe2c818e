import 'reflect-metadata';
import { createApp } from './app.factory';
import { KeyStore } from './auth/tokens/key-store';
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
  // Graceful shutdown: stop accepting, finish in-flight requests, close the database, then exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void app.close().then(() => {
        process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: `Caregate stopped (${signal})` })}\n`);
        process.exit(0);
      });
    });
  }
  // Key rotation without a restart: the key files are re-read; a bad file keeps the current keys.
  process.on('SIGHUP', () => {
    try {
      app.get(KeyStore).reload();
    } catch (e) {
      process.stderr.write(
        `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: `key reload failed, keeping the current keys: ${e instanceof Error ? e.message : String(e)}` })}\n`,
      );
    }
  });
  process.stdout.write(
    `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: `Caregate listening on http://${config.host}:${config.port} (Swagger UI at /api, database ${config.databaseUrl ? 'postgres' : config.sqliteFile})` })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`Caregate failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
