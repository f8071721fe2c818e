import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AppTokensService } from '../../../credentials/app-tokens/app-tokens.service';
import { AdminOnly, Authenticated, Ctx, ReadOnlyRoute } from '../../../common/http/decorators';
import { ValidationError } from '../../../common/errors';
import { ArrayBodyPipe } from '../../../common/http/validation.pipe';
import { IssueLocations } from '../../../common/http/issue-locations';
import { RequestContext } from '../../../common/request-context';
import { UserDocumentsService } from '../../../users/user-documents.service';
import { parseUserFilter } from '../../../users/user-filters';
import { UserQueriesService } from '../../../users/user-queries.service';
import { UserTokensService } from '../../../users/user-tokens.service';
import { UsersService } from '../../../users/users.service';
import { HealthcarePartiesService } from '../../../healthcare-parties/healthcare-parties.service';
import {
  DocIdentifierDto,
  FilterChainDto,
  FilterQueryDto,
  ListUsersQueryDto,
  NativeUserInputDto,
  PropertyStubDto,
  TokenQueryDto,
} from './user.dto';
import { toNativeUserPage, toUserDocument } from './user-native.mapper';
import { NativeUserDto, toNativeUser } from './user.mapper';

export function requiredHeader(value: string | undefined, name: string): string {
  if (value === undefined || value === '')
    throw new ValidationError([{ loc: ['header', name], type: 'missing', msg: `The ${name} header is required` }]);
  return value;
}

/** /rest/v2/user in the caller's group (iCure IccUserApi). */
@ApiTags('user (native)')
@Controller('rest/v2/user')
@Authenticated()
@IssueLocations({ limit: 'query' })
export class UserController {
  constructor(
    private readonly users: UsersService,
    private readonly documents: UserDocumentsService,
    private readonly queries: UserQueriesService,
    private readonly userTokens: UserTokensService,
    private readonly hcps: HealthcarePartiesService,
    private readonly appTokens: AppTokensService,
  ) {}

  private async withTokens(ctx: RequestContext, user: Parameters<typeof toNativeUser>[0]): Promise<NativeUserDto> {
    return toNativeUser(user, await this.appTokens.list(ctx, user.id));
  }

  @Get('current')
  @ReadOnlyRoute()
  @ApiOperation({ summary: 'The authenticated user' })
  async getCurrentUser(@Ctx() ctx: RequestContext): Promise<NativeUserDto> {
    const { user, tokens } = await this.users.getWithTokenKeys(ctx, ctx.userId);
    return toNativeUser(user, tokens);
  }

  @Get('session')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'The session id of the bearer token (empty for Basic auth)' })
  getCurrentSession(@Ctx() ctx: RequestContext): string {
    return ctx.user.sessionId ?? '';
  }

  @Get()
  @AdminOnly()
  @ApiOperation({
    summary: 'Users of the group ordered by login (keyset pagination)',
    description: '`startKey` (a login) and `startDocumentId` resume at `nextKeyPair`; `skipPatients` defaults to true.',
  })
  async listUsers(@Ctx() ctx: RequestContext, @Query() q: ListUsersQueryDto) {
    return toNativeUserPage(await this.queries.listByLogin(ctx, q));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a user',
    description:
      'login defaults to email, then mobilePhone; id is generated when absent; roles and permissions are kept only for administrators; passwordHash carries a clear password.',
  })
  async createUser(@Ctx() ctx: RequestContext, @Body() body: NativeUserInputDto): Promise<NativeUserDto> {
    return this.withTokens(ctx, await this.documents.create(ctx, toUserDocument(body)));
  }

  @Put()
  @ApiOperation({
    summary: 'Modify a user (full document at its rev; stale rev 409, missing 404; self or admin)',
    description:
      "A new password (passwordHash other than '*') ends the user's other sessions when endOtherSessions is true, which is the default when users change their own password (the calling session stays).",
  })
  @ApiQuery({ name: 'endOtherSessions', required: false, type: Boolean })
  async modifyUser(
    @Ctx() ctx: RequestContext,
    @Body() body: NativeUserInputDto,
    @Query('endOtherSessions') endOtherSessions?: string,
  ): Promise<NativeUserDto> {
    return this.withTokens(
      ctx,
      await this.documents.replace(ctx, toUserDocument(body), { endOtherSessions: booleanParam(endOtherSessions) }),
    );
  }

  @Get('byEmail/:email')
  @ReadOnlyRoute()
  @ApiOperation({ summary: 'The user with this email' })
  async getUserByEmail(@Ctx() ctx: RequestContext, @Param('email') email: string): Promise<NativeUserDto> {
    const { user, tokens } = await this.queries.getByEmailWithTokenKeys(ctx, email);
    return toNativeUser(user, tokens);
  }

  @Get('byHealthcarePartyId/:id')
  @ApiOkResponse({ type: [String] })
  @ApiOperation({ summary: 'Ids of the users linked to a healthcare party' })
  findByHcpartyId(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<string[]> {
    return this.queries.idsByHealthcareParty(ctx, id);
  }

  @Get('byPatientId/:id')
  @ApiOkResponse({ type: [String] })
  @ApiOperation({ summary: 'Ids of the users linked to a patient' })
  findByPatientId(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<string[]> {
    return this.queries.idsByPatient(ctx, id);
  }

  @Get('checkPassword')
  @ApiHeader({ name: 'password', required: true })
  @ApiOkResponse({ type: Boolean })
  @ApiOperation({ summary: "Does this password match the caller's?" })
  checkPassword(@Ctx() ctx: RequestContext, @Headers('password') password?: string): Promise<boolean> {
    return this.users.checkOwnPassword(ctx, requiredHeader(password, 'password'));
  }

  @Get('encodePassword')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiHeader({ name: 'password', required: true })
  @ApiOperation({ summary: 'The argon2id hash of a password (text)' })
  encodePassword(@Headers('password') password?: string): Promise<string> {
    return this.users.hashPassword(requiredHeader(password, 'password'));
  }

  @Put('current/hcparty/:healthcarePartyId')
  @ApiOperation({ summary: 'Link the current user to a healthcare party of its group' })
  async assignHealthcareParty(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') hcpId: string): Promise<NativeUserDto> {
    return this.withTokens(ctx, await this.hcps.assignToCaller(ctx, hcpId));
  }

  @Post('filter')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Users matching a filter chain (paginated by id)' })
  async filterUsersBy(@Ctx() ctx: RequestContext, @Query() q: FilterQueryDto, @Body() chain: FilterChainDto) {
    return toNativeUserPage(await this.queries.filter(ctx, parseUserFilter(chain.filter), q));
  }

  @Post('match')
  @HttpCode(200)
  @AdminOnly()
  @ApiBody({ description: 'A filter with a `$type`', schema: { type: 'object' } })
  @ApiOkResponse({ type: [String] })
  @ApiOperation({ summary: 'Ids of the users matching a filter' })
  matchUsersBy(@Ctx() ctx: RequestContext, @Body() filter: Record<string, unknown>): Promise<string[]> {
    return this.queries.match(ctx, parseUserFilter(filter));
  }

  @Post('token/:userId/:key')
  @IssueLocations({ key: 'path', tokenValidity: 'query', token: 'header' })
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiHeader({ name: 'token', required: false, description: 'A client-chosen token value (32 to 512 characters)' })
  @ApiOperation({ summary: 'A new app token for key (replaces the previous one; returned once; self or admin)' })
  async getToken(
    @Ctx() ctx: RequestContext,
    @Param('userId') userId: string,
    @Param('key') key: string,
    @Query() q: TokenQueryDto,
    @Headers('token') token?: string,
  ): Promise<string> {
    return (await this.userTokens.issue(ctx, userId, key, q.tokenValidity, token || undefined)).token;
  }

  @Get('token/:userId')
  @ApiHeader({ name: 'token', required: true })
  @ApiOkResponse({ type: Boolean })
  @ApiOperation({ summary: 'Is this token a valid app token of the user? (self or admin)' })
  checkTokenValidity(@Ctx() ctx: RequestContext, @Param('userId') userId: string, @Headers('token') token?: string): Promise<boolean> {
    return this.userTokens.isValid(ctx, userId, requiredHeader(token, 'token'));
  }

  @Get(':userId')
  @ReadOnlyRoute()
  @ApiOperation({ summary: 'A user of the group' })
  async getUser(@Ctx() ctx: RequestContext, @Param('userId') userId: string): Promise<NativeUserDto> {
    const { user, tokens } = await this.users.getWithTokenKeys(ctx, userId);
    return toNativeUser(user, tokens);
  }

  @Delete(':userId')
  @AdminOnly()
  @ApiOkResponse({ type: DocIdentifierDto })
  @ApiOperation({ summary: 'Soft-delete a user (its sessions end at once)' })
  async deleteUser(@Ctx() ctx: RequestContext, @Param('userId') userId: string): Promise<DocIdentifierDto> {
    const u = await this.users.softDelete(ctx, userId);
    return { id: u.id, rev: u.rev };
  }

  @Put(':userId/properties')
  @ApiBody({ type: [PropertyStubDto] })
  @ApiOperation({ summary: 'Merge properties by type.identifier (self or admin; count and size limits: 400/413)' })
  async modifyProperties(
    @Ctx() ctx: RequestContext,
    @Param('userId') userId: string,
    @Body(new ArrayBodyPipe(PropertyStubDto)) stubs: PropertyStubDto[],
  ): Promise<NativeUserDto> {
    return this.withTokens(ctx, await this.users.setProperties(ctx, userId, stubs as never));
  }
}

/** `true`/`false` from a query string; absent means "the default"; anything else is a 400. */
function booleanParam(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError([
    { loc: ['query', 'endOtherSessions'], type: 'bool_parsing', msg: 'endOtherSessions must be true or false', input: v },
  ]);
}
