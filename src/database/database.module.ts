import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const ds = new DataSource(dataSourceOptions(config));
        await ds.initialize();
        if (config.runMigrations) {
          const done = await ds.runMigrations({ transaction: 'each' });
          if (done.length) new Logger('Database').log(`applied ${done.length} migration(s): ${done.map((m) => m.name).join(', ')}`);
        }
        return ds;
      },
    },
    TransactionRunner,
  ],
  exports: [DataSource, TransactionRunner],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy().catch(() => undefined);
  }
}
