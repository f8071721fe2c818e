import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Route templates whose bodies may be larger than CAREGATE_BODY_LIMIT (bulk import: up to 10,000 users). */
const LARGE_BODY_ROUTES = new Set(['/rest/v2/user/inGroup/:groupId/import']);

/** Raises Fastify's per-route body limit for the bulk import route only (must run before routes register). */
export function allowLargeImportBodies(app: NestFastifyApplication, limitBytes: number): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (LARGE_BODY_ROUTES.has(route.url)) route.bodyLimit = limitBytes;
    });
}
