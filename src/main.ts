import './threadpool';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
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
  const log = new Logger('Caregate');
  await app.listen(config.port, config.host);
  // Graceful shutdown: stop accepting, finish in-flight requests, close the database, then exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void app.close().then(() => {
        log.log(`Caregate stopped (${signal})`);
        process.exit(0);
      });
    });
  }
  // Key rotation without a restart: the key files are re-read; a bad file keeps the current keys.
  process.on('SIGHUP', () => {
    try {
      app.get(KeyStore).reload();
    } catch (e) {
      log.error(`key reload failed, keeping the current keys: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  log.log(
    `Caregate listening on http://${config.host}:${config.port} (Swagger UI at /api, database ${config.databaseUrl ? 'postgres' : config.sqliteFile})`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`Caregate failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
