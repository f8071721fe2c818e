import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';

export type LoginOutcome = 'success' | 'bad_credentials' | 'locked' | 'second_factor_required' | 'second_factor_invalid';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Prometheus metrics of one application instance, in its own registry (tests boot several apps in
 * one process). Services record through the small methods below; nothing else touches prom-client.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  readonly registry = new Registry();
  private server?: http.Server;

  private readonly httpDuration = new Histogram({
    name: 'caregate_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'caregate_login_attempts_total',
    help: 'Credential checks (login routes and Basic auth) by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly hashing = new Histogram({
    name: 'caregate_password_hash_duration_seconds',
    help: 'Time spent hashing or verifying passwords, by operation and algorithm (argon2id, bcrypt, pbkdf2, sha256)',
    labelNames: ['op', 'algorithm'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });
  private readonly tokenChecks = new Counter({
    name: 'caregate_token_verifications_total',
    help: 'Bearer token checks: signature verifications (valid, invalid) and verified-token cache hits',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly revocations = new Counter({
    name: 'caregate_session_revocations_total',
    help: 'Session revocations recorded by this instance, by source (local, or remote through Redis)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  private readonly imported = new Counter({
    name: 'caregate_users_imported_total',
    help: 'Rows of bulk imports by result (created, skipped, refused)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly ds?: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'caregate_' });
    const pool = () => this.pgPool();
    new Gauge({
      name: 'caregate_db_pool_connections',
      help: 'Database connections by state (PostgreSQL pool: total, idle, waiting requests; SQLite: one connection)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (p) {
          this.set({ state: 'total' }, p.totalCount);
          this.set({ state: 'idle' }, p.idleCount);
          this.set({ state: 'waiting' }, p.waitingCount);
        } else {
          this.set({ state: 'total' }, 1);
        }
      },
    });
  }

  /** With CAREGATE_METRICS_PORT, metrics are served on their own port (and not on the API port). */
  async onModuleInit(): Promise<void> {
    const port = this.config.metrics.port;
    if (port === undefined) return;
    this.server = http.createServer((req, res) => {
      const url = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || url !== '/metrics') return void res.writeHead(404).end();
      if (!this.authorised(req.headers.authorization)) return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      void this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.host, () => resolve());
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The port the metrics server listens on (useful with CAREGATE_METRICS_PORT=0). */
  get serverPort(): number | undefined {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : undefined;
  }

  /** /metrics on the API port needs a token and no separate metrics port. */
  get servedOnApiPort(): boolean {
    return !!this.config.metrics.token && this.config.metrics.port === undefined;
  }

  /** Bearer check for /metrics; without a configured token only the separate port serves metrics. */
  authorised(header: string | undefined): boolean {
    const expected = this.config.metrics.token;
    if (!expected) return this.config.metrics.port !== undefined;
    const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
    const want = Buffer.from(expected);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** Times a hash or verify call and records it. */
  async timeHash<T>(op: 'hash' | 'verify', algorithm: string, work: () => Promise<T>): Promise<T> {
    const end = this.hashing.startTimer({ op, algorithm });
    try {
      return await work();
    } finally {
      end();
    }
  }

  tokenVerification(result: 'valid' | 'invalid' | 'cache_hit'): void {
    this.tokenChecks.inc({ result });
  }

  revocation(source: 'local' | 'remote', count = 1): void {
    this.revocations.inc({ source }, count);
  }

  importRows(result: 'created' | 'skipped' | 'refused', count: number): void {
    if (count) this.imported.inc({ result }, count);
  }

  private pgPool(): PgPool | undefined {
    if (this.ds?.options.type !== 'postgres' || !this.ds.isInitialized) return undefined;
    // The PostgreSQL driver's pool is node-postgres' Pool, whose counters are its public API.
    return (this.ds.driver as unknown as { master?: PgPool }).master;
  }
}
