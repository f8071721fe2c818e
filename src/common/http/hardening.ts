import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';

/** Swagger UI's own paths: static assets may be cached, everything else may not. */
const DOCS_ASSET = /^\/api\/(?!json)[^?]*\.(js|css|png|html)(\?|$)/;

/**
 * Response hardening for every route (ASVS 3.4, 14.3):
 * - helmet's headers (nosniff, Referrer-Policy no-referrer, frame-ancestors 'none', HSTS...) with a
 *   CSP that Swagger UI lives with: scripts only from this origin (the UI's init script is a
 *   file, not inline), inline styles and data: images (the UI's icons);
 * - `Cache-Control: no-store` on every answer but Swagger UI's static assets and routes that state
 *   their own policy (the public JWKS and discovery documents): API answers carry tokens or
 *   personal data and must not land in a shared or browser cache;
 * - CORS from CAREGATE_CORS_ORIGINS (reflect in development, nothing in production unless
 *   listed), never for the `null` origin, credentials only when CAREGATE_CORS_CREDENTIALS says so.
 */
/** The part of the configuration hardening reads (AppConfig has it; common/ does not import config/). */
export interface HardeningOptions {
  cors: { origins: 'reflect' | string[]; credentials: boolean };
}

/** helmet's options: the same for every route (no route sets its own). */
const HELMET: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/**
 * The headers @fastify/helmet sets with these options, computed once: the plugin rebuilds helmet's
 * middleware (and re-parses the CSP) on every request, for a set of headers that never changes here.
 * A throwaway Fastify instance with the plugin answers one injected request; whatever helmet added
 * to that answer is the set.
 */
export async function helmetHeaders(options: FastifyHelmetOptions = HELMET): Promise<Record<string, string>> {
  const probe = async (withHelmet: boolean) => {
    const f = Fastify({ logger: false });
    if (withHelmet) await f.register(helmet, options);
    f.get('/', (_req, reply) => reply.send(''));
    try {
      return (await f.inject({ method: 'GET', url: '/' })).headers;
    } finally {
      await f.close();
    }
  };
  const [bare, helmeted] = await Promise.all([probe(false), probe(true)]);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(helmeted)) {
    if (!(name in bare) && value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export async function applyHttpHardening(app: NestFastifyApplication, config: HardeningOptions): Promise<void> {
  const headers = Object.entries(await helmetHeaders());
  const fastify = app.getHttpAdapter().getInstance();
  // helmet's place in the chain (an onRequest hook): errors answered later carry the headers too.
  fastify.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    done();
  });
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (!reply.hasHeader('cache-control') && !DOCS_ASSET.test(req.url)) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  const { origins, credentials } = config.cors;
  app.enableCors({
    origin:
      origins === 'reflect'
        ? (origin: string | undefined, cb: (err: Error | null, allow: boolean) => void) => cb(null, origin !== 'null')
        : origins.length
          ? origins
          : false,
    credentials,
    methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
}
