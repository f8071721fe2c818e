import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuthRateLimited, Authenticated, Ctx, Public } from '../../../common/http/decorators';
import { NotImplementedError } from '../../../common/errors';
import { KeysetPage } from '../../../common/pagination';
import { IssueLocations } from '../../../common/http/issue-locations';
import { RequestContext } from '../../../common/request-context';
import type { Group } from '../../../groups/group.model';
import { DatabaseInitialisation, GroupAdminService } from '../../../provisioning/group-admin.service';
import { GroupsService } from '../../../groups/groups.service';
import {
  ChildrenQueryDto,
  ChildrenSearchQueryDto,
  CreateGroupQueryDto,
  ListOfPropertiesDto,
  RegistrationInformationDto,
  toGroupDto,
  TrialQueryDto,
} from './group.dto';

const page = (p: KeysetPage<Group>) => ({ ...p, rows: p.rows.map(toGroupDto) });
const NO_COUCH = 'Caregate has no CouchDB: group databases, replication and storage operations are not implemented';

/**
 * Native group profile (iCure IccGroupApi under /rest/v2). A group the caller cannot see (not its
 * own group or a descendant) is 404; writes need an ADMINISTRATOR of the group or an ancestor;
 * delete and hard delete need an administrator of a strict ancestor.
 */
@ApiTags('group (native)')
@Controller('rest/v2/group')
@Authenticated()
@IssueLocations({ limit: 'query' })
export class GroupController {
  constructor(
    private readonly groups: GroupsService,
    private readonly admin: GroupAdminService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Children of the caller's group",
    description: 'A bare array ordered by id: at most `limit` (default and maximum: the configured page limits), from `startDocumentId`.',
  })
  async list(@Ctx() ctx: RequestContext, @Query() q: ChildrenQueryDto) {
    return (await this.groups.listChildren(ctx, q)).map(toGroupDto);
  }

  @Get('apps')
  @ApiOperation({ summary: 'App groups: always [] (Caregate has no app groups)' })
  apps() {
    return [];
  }

  @Post('storage/info')
  @HttpCode(501)
  @ApiOperation({ summary: 'Not implemented (501): no CouchDB storage' })
  storageInfo() {
    throw new NotImplementedError(NO_COUCH);
  }

  @Post('register/trial')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({
    summary:
      'Trial registration: new group + first administrator + login token. 404 unless CAREGATE_TRIAL_REGISTRATION=true; query type and role are ignored (the registrant is ADMINISTRATOR of the new group)',
  })
  @ApiBody({ type: RegistrationInformationDto })
  registerTrial(@Body() info: Record<string, unknown>, @Query() _q: TrialQueryDto) {
    return this.admin.registerTrial(info);
  }

  @Delete('hard/:id')
  @ApiOperation({ summary: 'Purge a descendant group and its subtree (administrator of an ancestor); GroupDeletionReport[]' })
  hardDelete(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return this.admin.hardDelete(ctx, id);
  }

  @Post(':id')
  @IssueLocations({ id: 'path', name: 'query' })
  @HttpCode(200)
  @ApiBody({
    required: false,
    schema: { type: 'object', nullable: true, description: 'DatabaseInitialisation {users?, healthcareParties?} or null' },
  })
  @ApiOperation({ summary: 'Create a group (administrators of the root group or of a superAdmin group). The password header is ignored.' })
  async create(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Query() q: CreateGroupQueryDto,
    @Body() init: DatabaseInitialisation | null,
  ) {
    return toGroupDto(
      await this.admin.create(ctx, id, q, init && typeof init === 'object' && Object.keys(init).length === 0 ? null : init),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'A group of the caller subtree (404 otherwise)' })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return toGroupDto(await this.groups.getVisible(ctx, id));
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'Children of a group (keyset page by id)' })
  async children(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ChildrenQueryDto) {
    return page(await this.groups.childrenPage(ctx, id, { startDocumentId: q.startDocumentId ?? q.startKey, limit: q.limit }));
  }

  @Get(':id/children/search')
  @ApiOperation({ summary: 'Children of a group whose id or name contains searchString' })
  async childrenSearch(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ChildrenSearchQueryDto) {
    return page(
      await this.groups.childrenPage(ctx, id, { startDocumentId: q.startDocumentId ?? q.startKey, limit: q.limit, search: q.searchString }),
    );
  }

  @Get(':id/parent/name')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Name of the parent group (text/plain)' })
  parentName(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return this.groups.parentName(ctx, id);
  }

  @Put(':id/name/:name')
  @IssueLocations({ name: 'path' })
  @ApiOperation({ summary: 'Rename (administrator of the group or an ancestor)' })
  async rename(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('name') name: string) {
    return toGroupDto(await this.groups.rename(ctx, id, name));
  }

  @Put(':id/properties')
  @ApiOperation({
    summary: 'Merge properties by type.identifier (administrator); limits CAREGATE_PROPERTIES_MAX / CAREGATE_PROPERTY_VALUE_MAX_BYTES',
  })
  async properties(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: ListOfPropertiesDto) {
    return toGroupDto(await this.groups.setProperties(ctx, id, body.properties));
  }

  @Put(':id/parent/:superGroupId')
  @ApiOperation({
    summary: 'Move a group under another parent of the caller subtree (Caregate extension); 422 if it would become its own ancestor',
  })
  async move(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('superGroupId') superGroupId: string) {
    return toGroupDto(await this.groups.move(ctx, id, superGroupId));
  }

  @Put(':id/password')
  @ApiOperation({ summary: 'Not implemented (501): group passwords are CouchDB credentials' })
  async password(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    await this.groups.getVisible(ctx, id);
    throw new NotImplementedError('Group passwords are CouchDB credentials; Caregate has none');
  }

  @Get(':id/r')
  @ApiOperation({ summary: 'Not implemented (501): replication' })
  async replication(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    await this.groups.getVisible(ctx, id);
    throw new NotImplementedError(NO_COUCH);
  }

  @Put(':id/dd')
  @ApiOperation({ summary: 'Not implemented (501): design documents' })
  async designDocs(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    await this.groups.getVisible(ctx, id);
    throw new NotImplementedError(NO_COUCH);
  }

  @Post(':id/reset/storage')
  @ApiOperation({ summary: 'Not implemented (501): storage reset' })
  async resetStorage(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    await this.groups.getVisible(ctx, id);
    throw new NotImplementedError(NO_COUCH);
  }

  @Post(':id/conflicts')
  @ApiOperation({ summary: 'Not implemented (501): conflict resolution' })
  async conflicts(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    await this.groups.getVisible(ctx, id);
    throw new NotImplementedError(NO_COUCH);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Soft delete a descendant group and its subtree (administrator of an ancestor); their sessions end' })
  async softDelete(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return toGroupDto(await this.admin.softDelete(ctx, id));
  }
}
