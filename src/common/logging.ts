import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { DestinationStream, Logger as PinoInstance } from 'pino';

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
