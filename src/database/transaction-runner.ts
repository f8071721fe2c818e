import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RequestContext } from '../common/request-context';

/**
 * Runs work in one transaction; the transaction rides on the context (`ctx.manager`), so
 * repositories called with the returned context join it. SQLite has one connection, so its
 * transactions are queued rather than nested.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ds: DataSource) {}

  async run<T>(ctx: RequestContext, work: (tx: RequestContext) => Promise<T>): Promise<T> {
    if (ctx.manager) return work(ctx);
    const exec = () => this.ds.transaction((manager) => work(ctx.withManager(manager)));
    if (this.ds.options.type === 'postgres') return exec();
    const result = this.queue.then(exec, exec);
    this.queue = result.catch(() => undefined);
    return result;
  }

  manager(ctx: RequestContext): EntityManager {
    return ctx.manager ?? this.ds.manager;
  }
}
