import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { Clock } from './common/clock';
import { applyHttpHardening } from './common/http/hardening';
import { inputGuardOptions, installInputGuard } from './common/http/input-guard';
import { installRequestScope } from './common/http/request-scope';
import { installResponseBatching } from './common/http/response-batching';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { createRootLogger, lazyChildLoggerFactory, RequestLogController, RequestPinoLogger } from './common/logging';
import { AppConfig } from './config/config';
import { installHttpMetrics } from './metrics/http-metrics';
import { allowLargeImportBodies } from './profiles/native/users/import-body-limit';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the configured application (used by main.ts, tests, the OpenAPI script and the bench). */
export async function createApp(
  config: AppConfig,
  opts: { clock?: Clock; logDestination?: DestinationStream } = {},
): Promise<NestFastifyApplication> {
  const logger = createRootLogger(config.logLevel, opts.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    loggerInstance: logger,
    logController: new RequestLogController(),
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: false,
    ...inputGuardOptions(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, opts.clock, logger), adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  // Nest buffers what it logs while it builds the module graph; from here on it all goes to pino.
  // (the request's `reqId` comes from the request scope: installRequestScope).
  app.useLogger(new Logger(new RequestPinoLogger({ pinoHttp: { logger }, useExisting: true }), {}));
  app.flushLogs();
  const fastify = app.getHttpAdapter().getInstance();

  installInputGuard(app, config);
  fastify.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-request-id', String(req.id));
    done(null, payload);
  });

  await applyHttpHardening(app, config);
  installHttpMetrics(app);
  installRequestScope(fastify);
  allowLargeImportBodies(app, config.importBodyLimitBytes);
  // The last onSend hook: every other hook has shaped the response before it waits for the turn's end.
  installResponseBatching(fastify);
  if (config.apiDocs) setupSwagger(app);
  await app.init();
  await fastify.ready();
  return app;
}

export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('api', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

/** The OpenAPI document of every profile (served at /api-json, committed as openapi.json). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Caregate')
      .setDescription(
        'Multi-tenant user and identity service. Log in with `POST /rest/v2/auth/login`, then use **Authorize** with the returned token (bearer) — or use Basic with login and password. Profiles: native (`/rest/v2`), accounts (`/v1/users`, X-User-Token), Infermedica-style (`/api/mgp/v1/users`), Nabla-style (`/v1/copilot-api/server/users`).',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .addBasicAuth({ type: 'http', scheme: 'basic' }, 'basic')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-User-Token' }, 'x-user-token')
      .build(),
    { operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}` },
  );
}
