import { LoggerService } from '@nestjs/common';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
type Level = (typeof LEVELS)[number];
const RANK: Record<string, number> = { fatal: 0, error: 1, warn: 2, info: 3, log: 3, debug: 4, verbose: 5 };

/** Structured JSON lines on stdout for Nest's own logs (Fastify logs requests the same way, with reqId). */
export class JsonLogger implements LoggerService {
  constructor(private readonly level: Level) {}

  private write(level: string, message: unknown, context?: unknown, extra?: Record<string, unknown>): void {
    if (this.level === 'silent' || RANK[level] > RANK[this.level]) return;
    const base = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : { msg: String(message) };
    process.stdout.write(
      `${JSON.stringify({ level: level === 'log' ? 'info' : level, time: new Date().toISOString(), ...(typeof context === 'string' ? { context } : {}), ...base, ...extra })}\n`,
    );
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', message, context ?? trace, trace && context ? { trace } : undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }
}
