import { FastifyBaseLogger, FastifyReply, FastifyRequest, LogController } from 'fastify';
import { currentRequest } from './http/request-scope';
import { PinoLogger } from 'nestjs-pino';
import pino, { Bindings, ChildLoggerOptions, DestinationStream, LevelWithSilentOrString, Logger as PinoInstance } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

/**
 * Where secrets could sit in a logged object. Nothing logs requests' headers or bodies today; these
 * paths keep it so if someone adds `req` or a DTO to a log line.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-user-token"]',
  'headers.authorization',
  'headers["x-user-token"]',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.refreshToken',
  '*.secret',
  'password',
  'token',
  'refreshToken',
];

/**
 * The one logger of the process: Nest (through nestjs-pino) and Fastify both write through it, so
 * every stdout line has the same shape: `{"level":"info","time":"<ISO>","msg":...}` plus `reqId`
 * inside a request and `context` for Nest's named loggers.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): PinoInstance {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

type Req = FastifyRequest;
type Rep = FastifyReply;

/**
 * Fastify's request log lines, through its documented extension point: one line per request, when
 * it is answered, with the request id (Fastify's child logger adds `reqId`), method, route pattern
 * (not the URL, whose path or query may carry a token), status and latency. Nothing from the
 * request's headers or URL is logged.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: Req, reply: Rep): void {
    const line = {
      method: req.method,
      route: req.routeOptions.url ?? null,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }

  override defaultErrorLog(error: Error, req: Req, reply: Rep): void {
    if (reply.statusCode >= 500) reply.log.error({ err: error }, error?.message);
    else reply.log.info({ statusCode: reply.statusCode }, error?.message);
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger (Fastify's `childLoggerFactory`), made when a line is first written at an
 * enabled level: building a pino child (bindings serialized, redaction applied) for every request
 * cost more than the rest of the logging, and at the production level most requests write nothing.
 * Same lines as `parent.child(bindings, opts)`.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  private real?: FastifyBaseLogger;
  private readonly threshold: number;

  constructor(
    private readonly parent: FastifyBaseLogger & Pick<PinoInstance, 'levels'>,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {
    this.threshold = parent.levels.values[opts.level || parent.level] ?? Infinity;
  }

  private logger(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.opts));
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.real && (this.parent.levels.values[level] ?? 0) < this.threshold) return;
    const logger = this.logger();
    Reflect.apply(logger[level], logger, args);
  }

  get level(): LevelWithSilentOrString {
    return this.real ? this.real.level : this.opts.level || this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory` option: a LazyChildLogger of the root logger. */
export const lazyChildLoggerFactory = (parent: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger =>
  new LazyChildLogger(parent as FastifyBaseLogger & Pick<PinoInstance, 'levels'>, bindings, opts);

/**
 * nestjs-pino's logger for Nest's own lines, writing inside a request through the request's logger
 * (so with its `reqId`), found in the request scope rather than in a scope of nestjs-pino's own,
 * which its per-request middleware would enter for every request.
 */
export class RequestPinoLogger extends PinoLogger {
  override get logger(): PinoInstance {
    return (currentRequest()?.log as PinoInstance | undefined) ?? super.logger;
  }
}
