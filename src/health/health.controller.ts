import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public, ReadOnlyRoute } from '../common/http/decorators';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../common/http/normalize-error';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  // Probes write nothing and record no event: they run outside the request scope (request-scope.ts).
  @Get()
  @ReadOnlyRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ReadOnlyRoute()
  @ApiOperation({ summary: 'Readiness: the database answers (503 otherwise)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; database: string }> {
    try {
      await this.ds.query('SELECT 1');
      return { status: 'ok', database: 'up' };
    } catch {
      void reply.status(503).header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
      return { status: 'unavailable', database: 'down' };
    }
  }
}
