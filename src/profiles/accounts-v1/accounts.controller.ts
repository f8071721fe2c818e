import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminOnly, AuthRateLimited, Ctx, Public, UserTokenAuth } from '../../common/http/decorators';
import { UnauthorizedError, ValidationError } from '../../common/errors';
import { passwordResetLink } from '../../common/http/password-reset-link';
import { RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { AccountLifecycleService } from '../../provisioning/account-lifecycle.service';
import { UsersService } from '../../users/users.service';
import { AccountEnvelope, AccountUserResponse, fromEnvelope, toAccountUser } from './accounts.dto';

function str(o: unknown, key: string): string {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  if (v === undefined || v === null || v === '')
    throw new ValidationError([{ loc: ['body', key], type: 'missing', msg: `${key} is required` }]);
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new ValidationError([{ loc: ['body', key], type: 'string_type', msg: `${key} must be a string`, input: v }]);
  return String(v);
}

function pageParam(raw: string | undefined, name: string, def: number, max?: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ValidationError([{ loc: ['query', name], type: 'value_error', msg: `${name} must be a positive integer`, input: raw }]);
  return max ? Math.min(Number(raw), max) : Number(raw);
}

/** The accounts profile (seeds/general-users-api.txt): the core lifecycle with Rails-style errors; auth by X-User-Token. */
/** The role the document shows for the accounts people register themselves (`"role": "parent"`). */
const ACCOUNT_ROLE = 'parent';

@ApiTags('users (accounts lifecycle)')
@Controller('v1/users')
@UserTokenAuth()
export class AccountsController {
  constructor(
    private readonly lifecycle: AccountLifecycleService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @AdminOnly()
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'page_size', required: false, description: 'default 50, at most 100' })
  @ApiOperation({ summary: 'List users of the group (administrators): `{users, page, page_size, total}`' })
  async list(@Ctx() ctx: RequestContext, @Query('page') pageRaw?: string, @Query('page_size') sizeRaw?: string) {
    const page = pageParam(pageRaw, 'page', 1);
    const pageSize = pageParam(sizeRaw, 'page_size', 50, 100);
    const r = await this.users.listPage(ctx, page, pageSize);
    return { users: r.items.map(toAccountUser), page, page_size: pageSize, total: r.total };
  }

  @Post()
  @HttpCode(201)
  @Public()
  @AuthRateLimited()
  @ApiBody({ type: AccountEnvelope })
  @ApiOkResponse({ type: AccountUserResponse })
  @ApiOperation({
    summary: 'Register (public): the account waits for its confirmation code (SMS if a phone is given, else email)',
    description:
      '422 `{"errors":{"email":["can\'t be blank","has already been taken"],"password":["is too short (minimum is N characters)"]}}`; 503 when the code cannot be delivered (nothing is kept).',
  })
  async register(@Body() body: unknown): Promise<AccountUserResponse> {
    return toAccountUser(await this.lifecycle.register({ ...fromEnvelope(body), accountRole: ACCOUNT_ROLE }));
  }

  @Post('confirmation')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiBody({
    schema: { type: 'object', properties: { user_id: { type: 'string' }, confirmation_code: { type: 'string', example: '123456' } } },
  })
  @ApiOperation({
    summary: 'Confirm an account with its code (public): 401 `{"errors":"Invalid Code"}`, 404 `{"errors":"User not found"}`',
  })
  async confirm(@Body() body: unknown) {
    const u = await this.lifecycle.confirm(str(body, 'user_id'), str(body, 'confirmation_code'));
    return { verified: true, user: { id: u.id, email: u.email, confirmed: u.confirmed } };
  }

  @Post('resend_confirmation')
  @HttpCode(200)
  @ApiBody({
    required: false,
    schema: { type: 'object', properties: { user_id: { type: 'string', description: 'administrators: another user of the group' } } },
  })
  @ApiOperation({ summary: 'Send a new confirmation code (60 s cooldown; the try counter is kept)' })
  async resend(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<{ sent: true }> {
    const userId =
      body && typeof body === 'object' && typeof (body as { user_id?: unknown }).user_id === 'string'
        ? (body as { user_id: string }).user_id
        : undefined;
    await this.lifecycle.resendConfirmation(ctx, userId);
    return { sent: true };
  }

  @Post('email_has_account')
  @HttpCode(200)
  @Public()
  @ApiBody({ schema: { type: 'object', properties: { email: { type: 'string' } } } })
  @ApiOperation({ summary: 'Does this email have an account? (public, rate-limited per IP, can be switched off)' })
  async emailHasAccount(@Body() body: unknown, @Req() req: FastifyRequest): Promise<{ has_account: boolean }> {
    return { has_account: await this.lifecycle.emailHasAccount(str(body, 'email'), req.ip) };
  }

  @Post('passwords')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiBody({ schema: { type: 'object', properties: { email: { type: 'string' } } } })
  @ApiOperation({ summary: 'Ask for a password reset (public); the answer is the same whether or not the account exists' })
  async requestReset(@Body() body: unknown): Promise<{ message: string }> {
    await this.lifecycle.requestPasswordReset(str(body, 'email'), { link: (token) => passwordResetLink(this.config.publicBaseUrl, token) });
    return { message: 'If an account exists for this email, a password reset code has been sent.' };
  }

  @Get('passwords/validate')
  @Public()
  @AuthRateLimited()
  @ApiQuery({ name: 'token', required: true })
  @ApiOperation({ summary: 'Is a reset token valid? (public) 401 `{"errors":"Invalid Code"}` otherwise' })
  async validateReset(@Query('token') token?: string): Promise<{ valid: true }> {
    if (!(await this.lifecycle.validateResetToken(token ?? ''))) throw new UnauthorizedError('INVALID_CODE', 'Invalid Code');
    return { valid: true };
  }

  @Post('passwords/reset')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiBody({ schema: { type: 'object', properties: { token: { type: 'string' }, password: { type: 'string' } } } })
  @ApiOperation({ summary: 'Reset the password with a token (public, single use); every session of the user ends' })
  async reset(@Body() body: unknown): Promise<AccountUserResponse> {
    return toAccountUser(await this.lifecycle.resetPassword(str(body, 'token'), str(body, 'password')));
  }

  @Put(':id')
  @ApiBody({ type: AccountEnvelope })
  @ApiOkResponse({ type: AccountUserResponse })
  @ApiOperation({ summary: 'Update (partial; self or administrator)' })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown): Promise<AccountUserResponse> {
    return toAccountUser(await this.lifecycle.updateAccount(ctx, id, fromEnvelope(body)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: AccountUserResponse })
  @ApiOperation({ summary: 'Cancel: the account becomes inactive, its data is kept, its sessions end (self or administrator)' })
  async cancel(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<AccountUserResponse> {
    return toAccountUser(await this.lifecycle.cancel(ctx, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({ summary: 'Delete permanently (administrators; 403 otherwise): personal data, tokens and sessions are gone' })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.lifecycle.delete(ctx, id);
  }
}
