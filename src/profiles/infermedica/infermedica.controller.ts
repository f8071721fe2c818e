import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, Authenticated, Ctx } from '../../common/http/decorators';
import { RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { UsersService } from '../../users/users.service';
import { contactFields, InfermedicaUser, listEnvelope, listParams, toInfermedicaUser, userIdOf } from './infermedica.mapper';

const PREFIX = '/api/mgp/v1/users';
const CONTACT_SCHEMA = {
  type: 'object',
  properties: {
    email: { type: 'string', nullable: true, example: 'user@example.net' },
    phone: { type: 'string', nullable: true, example: '+498999998999' },
  },
};

/** Infermedica-style users (seeds/infermedica-platform-users.txt): a thin profile over the core. */
@ApiTags('users (Infermedica-style)')
@Controller('api/mgp/v1/users')
@Authenticated()
export class InfermedicaUsersController {
  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiBody({ schema: CONTACT_SCHEMA, required: false })
  @ApiOperation({
    summary: 'Create a user in the caller group (empty body, or email and/or phone)',
    description:
      '422 pydantic-style for a malformed email or phone; 409 `{"detail":"Email and SMS must be unique"}` when taken in the group.',
  })
  async createUser(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<InfermedicaUser> {
    return toInfermedicaUser(await this.users.create(ctx, contactFields(body ?? {})));
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Users of the group, `cursor` (page index from 0) and `limit` (1..100, default 10)' })
  async listUsers(@Ctx() ctx: RequestContext, @Query() q: Record<string, unknown>, @Req() req: FastifyRequest) {
    const { cursor, limit } = listParams(q);
    const page = await this.users.listPage(ctx, cursor + 1, limit);
    const base = `${this.config.publicBaseUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`}${PREFIX}`;
    return listEnvelope(base, cursor, limit, page.total, page.items.map(toInfermedicaUser));
  }

  @Get(':user_id')
  @ApiOperation({ summary: 'A user of the group (422 uuid_parsing for a malformed id, 404 unknown)' })
  async getUser(@Ctx() ctx: RequestContext, @Param('user_id') userId: string): Promise<InfermedicaUser> {
    return toInfermedicaUser(await this.users.get(ctx, userIdOf(userId)));
  }

  @Patch(':user_id')
  @ApiBody({ schema: CONTACT_SCHEMA })
  @ApiOperation({ summary: 'Update email and/or phone (self or admin)' })
  async updateUser(@Ctx() ctx: RequestContext, @Param('user_id') userId: string, @Body() body: unknown): Promise<InfermedicaUser> {
    const id = userIdOf(userId);
    return toInfermedicaUser(await this.users.update(ctx, id, contactFields(body)));
  }

  @Delete(':user_id')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({ summary: 'Delete a user permanently (204; then 404)' })
  async deleteUser(@Ctx() ctx: RequestContext, @Param('user_id') userId: string): Promise<void> {
    await this.users.hardDelete(ctx, userIdOf(userId));
  }
}
