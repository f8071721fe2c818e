import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsService } from './metrics.service';

/**
 * Times every HTTP request by its route template (`/rest/v2/user/:userId`, never the raw URL, so
 * ids do not explode the label set); requests that matched no route count as `unmatched`.
 */
export function installHttpMetrics(app: NestFastifyApplication): void {
  const metrics = app.get(MetricsService);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions?.url ?? 'unmatched';
      metrics.observeHttp(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
}
