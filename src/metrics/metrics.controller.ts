import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/http/decorators';
import { NotFoundError, UnauthorizedError } from '../common/errors';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics on the API port, for Prometheus, behind CAREGATE_METRICS_TOKEN (bearer). Without a
 * token, or when CAREGATE_METRICS_PORT moves metrics to their own port, the route is 404 here.
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!this.metrics.servedOnApiPort) throw new NotFoundError('Route', 'GET /metrics');
    if (!this.metrics.authorised(authorization)) throw new UnauthorizedError('AUTH_REQUIRED');
    void reply
      .status(200)
      .header('content-type', this.metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await this.metrics.registry.metrics());
  }
}
