import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

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

export async function applyHttpHardening(app: NestFastifyApplication, config: HardeningOptions): Promise<void> {
  await app.register(helmet, {
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
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    if (!DOCS_ASSET.test(req.url) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
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
