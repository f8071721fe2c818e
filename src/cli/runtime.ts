import { createRootLogger } from '../common/logging';
import { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig, ConfigError, loadConfig } from '../config/config';

/** Thrown for anything the operator must fix; printed without a stack, exit code 1. */
export class CliError extends Error {}

/** Nest's own logs as JSON lines on stderr, so stdout carries only the command's output. */
class StderrLogger implements LoggerService {
  constructor(private readonly quiet: boolean) {}
  private write(level: string, message: unknown, context?: unknown) {
    if (this.quiet && level !== 'error' && level !== 'warn' && context !== 'Bootstrap') return;
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), context, msg: String(message) })}\n`);
  }
  log(m: unknown, c?: unknown) {
    this.write('info', m, c);
  }
  error(m: unknown, _trace?: unknown, c?: unknown) {
    this.write('error', m, c);
  }
  warn(m: unknown, c?: unknown) {
    this.write('warn', m, c);
  }
}

export function cliConfig(): AppConfig {
  try {
    const config = loadConfig(process.env);
    // The CLI never serves metrics: a second listener on the service's metrics port would clash.
    return { ...config, metrics: { ...config.metrics, port: undefined } };
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
}

/** The configured database through the real services, without HTTP. */
export async function withApp<T>(work: (app: INestApplicationContext, config: AppConfig) => Promise<T>): Promise<T> {
  const config = cliConfig();
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot(config, undefined, createRootLogger(config.logLevel, process.stderr)),
    {
      logger: new StderrLogger(config.logLevel !== 'debug'),
      abortOnError: false,
    },
  );
  try {
    return await work(app, config);
  } finally {
    await app.close();
  }
}

/** A running service: JSON over HTTP with a bearer token. */
export class RemoteClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((e: Error) => {
      throw new CliError(`cannot reach ${this.baseUrl}: ${e.message}`);
    });
    const text = await res.text();
    if (!res.ok) throw new CliError(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }
}

export function remoteFrom(opts: { url?: string; token?: string }): RemoteClient | undefined {
  const url = opts.url ?? process.env.CAREGATE_URL;
  if (!url) return undefined;
  const token = opts.token ?? process.env.CAREGATE_TOKEN;
  if (!token) throw new CliError('--url needs --token (or CAREGATE_TOKEN): an administrator access token');
  return new RemoteClient(url, token);
}
