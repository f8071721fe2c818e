import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Ctx } from '../../../common/http/decorators';
import { IssueLocations } from '../../../common/http/issue-locations';
import { RequestContext } from '../../../common/request-context';
import { GroupsService } from '../../../groups/groups.service';
import { UserDocumentsService } from '../../../users/user-documents.service';
import { parseUserFilter } from '../../../users/user-filters';
import { UserQueriesService } from '../../../users/user-queries.service';
import { UserTokensService } from '../../../users/user-tokens.service';
import { UsersService } from '../../../users/users.service';
import { FilterChainDto, FilterQueryDto, ListUsersQueryDto, NativeUserInputDto, TokenQueryDto } from './user.dto';
import { toNativeUserPage, toUserDocument } from './user-native.mapper';
import { ImportReportDto, ImportUsersDto } from './user-import.dto';
import { UserImportService } from '../../../provisioning/user-import.service';
import { NativeUserDto, toNativeUser } from './user.mapper';

/**
 * /rest/v2/user/inGroup/{groupId}: the same operations in another group, for administrators of
 * that group or of one of its ancestors (403 otherwise; unknown group 404).
 */
@ApiTags('user (native)')
@Controller('rest/v2/user')
@AdminOnly()
@IssueLocations({ limit: 'query' })
export class UserInGroupController {
  constructor(
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly documents: UserDocumentsService,
    private readonly queries: UserQueriesService,
    private readonly userTokens: UserTokensService,
    private readonly importer: UserImportService,
  ) {}

  @Get('inGroup/:groupId')
  @ApiOperation({ summary: 'Users of a group (keyset pagination by login)' })
  async listUsersInGroup(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Query() q: ListUsersQueryDto) {
    return toNativeUserPage(await this.queries.listByLogin(await this.groups.actInGroup(ctx, groupId), q));
  }

  @Post('inGroup/:groupId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a user in a group' })
  async createUserInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Body() body: NativeUserInputDto,
  ): Promise<NativeUserDto> {
    return toNativeUser(await this.documents.create(await this.groups.actInGroup(ctx, groupId), toUserDocument(body)));
  }

  @Post('inGroup/:groupId/import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bulk import up to 10,000 users with clear passwords or existing hashes; report per row; accepted rows written all-or-nothing',
  })
  @ApiOkResponse({ type: ImportReportDto })
  async importUsersInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Body() body: ImportUsersDto,
  ): Promise<ImportReportDto> {
    return this.importer.import(await this.groups.actInGroup(ctx, groupId), body.users, { dryRun: body.dryRun });
  }

  @Put('inGroup/:groupId')
  @ApiOperation({ summary: 'Modify a user of a group (rev checked)' })
  async modifyUserInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Body() body: NativeUserInputDto,
  ): Promise<NativeUserDto> {
    return toNativeUser(await this.documents.replace(await this.groups.actInGroup(ctx, groupId), toUserDocument(body)));
  }

  @Get('inGroup/:groupId/:userId')
  @ApiOperation({ summary: 'A user of a group' })
  async getUserInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Param('userId') userId: string,
  ): Promise<NativeUserDto> {
    return toNativeUser(await this.users.get(await this.groups.actInGroup(ctx, groupId), userId));
  }

  @Delete('inGroup/:groupId/:userId')
  @ApiOperation({ summary: 'Soft-delete a user of a group; answers Unit ({})' })
  async deleteUserInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Param('userId') userId: string,
  ): Promise<Record<string, never>> {
    await this.users.softDelete(await this.groups.actInGroup(ctx, groupId), userId);
    return {};
  }

  @Post('filter/inGroup/:groupId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Users of a group matching a filter chain' })
  async filterUsersInGroupBy(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Query() q: FilterQueryDto,
    @Body() chain: FilterChainDto,
  ) {
    const gctx = await this.groups.actInGroup(ctx, groupId);
    return toNativeUserPage(await this.queries.filter(gctx, parseUserFilter(chain.filter), q));
  }

  @Post('inGroup/:groupId/token/:userId/:key')
  @IssueLocations({ key: 'path', tokenValidity: 'query', token: 'header' })
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'A new app token for a user of a group' })
  async getTokenInGroup(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Param('userId') userId: string,
    @Param('key') key: string,
    @Query() q: TokenQueryDto,
    @Headers('token') token?: string,
  ): Promise<string> {
    return (await this.userTokens.issue(await this.groups.actInGroup(ctx, groupId), userId, key, q.tokenValidity, token || undefined))
      .token;
  }
}
