import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/http/decorators';
import { ValidationError } from '../../common/errors';
import { RequestContext } from '../../common/request-context';
import { emailProblem } from '../../common/validation/email';
import { UsersService } from '../../users/users.service';
import { createInput, nablaUserId, NablaCreateUserDoc, NablaUpdateUserDoc, NablaUserDto, toNablaUser, updateInput } from './nabla.dto';

const LIMIT_ERRORS = 'Every broken limit answers 400 `{"message","code","status","requestId","field","limit"}`.';

/** Nabla-style users (seeds/nabla-copilot-update-user.txt) plus what a user of that API needs beside PATCH. */
@ApiTags('users (Nabla-style)')
@Controller('v1/copilot-api/server/users')
@Authenticated()
export class NablaUsersController {
  constructor(private readonly users: UsersService) {}

  @Patch(':id')
  @ApiBody({ type: NablaUpdateUserDoc })
  @ApiOkResponse({ type: NablaUserDto })
  @ApiOperation({
    summary: 'Update a user (partial; metadata replaced whole)',
    description: `external_id: null or <= 256 characters, unique in the group (409). metadata: null or <= 50 keys, names <= 40 characters, string values <= 500 characters. Self or administrator. ${LIMIT_ERRORS}`,
  })
  async updateUser(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<NablaUserDto> {
    return toNablaUser(await this.users.update(ctx, nablaUserId(id), updateInput(body)));
  }

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @ApiBody({ type: NablaCreateUserDoc, required: false })
  @ApiOkResponse({ type: NablaUserDto })
  @ApiOperation({ summary: 'Create a user in the caller group (administrators)', description: LIMIT_ERRORS })
  async createUser(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<NablaUserDto> {
    const input = createInput(body);
    if (input.email) {
      const reason = emailProblem(input.email);
      if (reason)
        throw new ValidationError([
          { loc: ['body', 'email'], type: 'value_error', msg: `email is not a valid email address: ${reason}`, input: input.email },
        ]);
    }
    return toNablaUser(await this.users.create(ctx, input));
  }

  @Get()
  @AdminOnly()
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 20' })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiOperation({ summary: 'Users of the group, oldest first: `{data, has_more, next_cursor}`' })
  async listUsers(@Ctx() ctx: RequestContext, @Query('limit') limitRaw?: string, @Query('cursor') cursorRaw?: string) {
    const limit = limitRaw === undefined ? 20 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new ValidationError([
        {
          loc: ['query', 'limit'],
          type: 'value_error',
          msg: 'limit must be an integer from 1 to 100',
          input: limitRaw,
          ctx: { limit: 100 },
        },
      ]);
    const page = cursorRaw === undefined ? 1 : Number(cursorRaw);
    if (!Number.isInteger(page) || page < 1)
      throw new ValidationError([
        {
          loc: ['query', 'cursor'],
          type: 'value_error',
          msg: 'cursor must be a next_cursor value returned by this list',
          input: cursorRaw,
        },
      ]);
    const r = await this.users.listPage(ctx, page, limit);
    const hasMore = page * limit < r.total;
    return { data: r.items.map(toNablaUser), has_more: hasMore, next_cursor: hasMore ? String(page + 1) : null };
  }

  @Get(':id')
  @ApiOkResponse({ type: NablaUserDto })
  @ApiOperation({ summary: 'A user of the group' })
  async getUser(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<NablaUserDto> {
    return toNablaUser(await this.users.get(ctx, nablaUserId(id)));
  }

  @Post(':id/activate')
  @HttpCode(200)
  @AdminOnly()
  @ApiOkResponse({ type: NablaUserDto })
  @ApiOperation({ summary: 'Activate a user (administrators)' })
  async activate(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<NablaUserDto> {
    return toNablaUser(await this.users.setStatus(ctx, nablaUserId(id), 'ACTIVE'));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @AdminOnly()
  @ApiOkResponse({ type: NablaUserDto })
  @ApiOperation({ summary: 'Deactivate a user (administrators): its sessions end at once, like a cancel' })
  async deactivate(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<NablaUserDto> {
    return toNablaUser(await this.users.setStatus(ctx, nablaUserId(id), 'DISABLED', 'cancelled'));
  }
}
