import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { dataSourceOptions, RawSqlite } from './data-source-options';
import { TransactionRunner } from './transaction-runner';

/** Pending migrations, on a connection of their own without the request statement timeout. */
async function migrate(config: AppConfig): Promise<void> {
  const ds = new DataSource(dataSourceOptions(config, { migrations: true }));
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    if (done.length) new Logger('Database').log(`applied ${done.length} migration(s): ${done.map((m) => m.name).join(', ')}`);
  } finally {
    await ds.destroy();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        if (config.runMigrations) await migrate(config);
        const ds = new DataSource(dataSourceOptions(config));
        await ds.initialize();
        return ds;
      },
    },
    {
      provide: TransactionRunner,
      inject: [DataSource, APP_CONFIG],
      useFactory: async (ds: DataSource, config: AppConfig) => {
        if (ds.options.type === 'postgres' || config.sqliteFile === ':memory:') return new TransactionRunner(ds);
        let raw: RawSqlite | undefined;
        const reader = new DataSource(dataSourceOptions(config, { readOnly: true, onOpen: (db) => (raw = db) }));
        await reader.initialize();
        return new TransactionRunner(ds, reader, raw);
      },
    },
  ],
  exports: [DataSource, TransactionRunner],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tx.close();
    if (this.ds.isInitialized) await this.ds.destroy().catch(() => undefined);
  }
}
