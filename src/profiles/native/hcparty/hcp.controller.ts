import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../../common/http/decorators';
import { ValidationError } from '../../../common/errors';
import { KeysetPage } from '../../../common/pagination';
import { IssueLocations } from '../../../common/http/issue-locations';
import { RequestContext } from '../../../common/request-context';
import { GroupsService } from '../../../groups/groups.service';
import { HcpDocument, toDocument } from '../../../healthcare-parties/hcp-document';
import { HealthcarePartiesService } from '../../../healthcare-parties/healthcare-parties.service';
import type { HealthcareParty } from '../../../healthcare-parties/healthcare-party.model';
import { HcpByNameQueryDto, HcpFilterQueryDto, HcpPageQueryDto, HcpRegisterQueryDto, splitIds } from './hcp.dto';

const page = (p: KeysetPage<HealthcareParty>) => ({ ...p, rows: p.rows.map(toDocument) });
const HCP_BODY = {
  schema: { type: 'object', description: 'iCure HealthcareParty document (one of name, lastName, nihii, ssin required)' },
};

function listOfIds(body: unknown): string[] {
  const ids = (body as { ids?: unknown } | null)?.ids;
  if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string'))
    throw ValidationError.field('ids', 'ids must be an array of strings', ids);
  return ids as string[];
}

/**
 * Native healthcare-party profile (iCure IccHcpartyApi under /rest/v2). Writes: create and delete
 * are admin-only; modify is admin or the caller's own HCP; inGroup and register need an
 * administrator of the target group or an ancestor.
 */
@ApiTags('hcparty (native)')
@Controller('rest/v2/hcparty')
@Authenticated()
@IssueLocations({ limit: 'query' })
export class HcpController {
  constructor(
    private readonly hcps: HealthcarePartiesService,
    private readonly groups: GroupsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'HCPs ordered by last name (keyset page; startKey = last name)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: HcpPageQueryDto) {
    return page(await this.hcps.listByLastName(ctx, q));
  }

  @Get('current')
  @ApiOperation({ summary: 'The HCP of the current user (404 when none)' })
  async current(@Ctx() ctx: RequestContext) {
    return toDocument(await this.hcps.current(ctx));
  }

  @Get('byName')
  @ApiOperation({ summary: 'Accent- and case-folded prefix search on name parts; empty name lists all' })
  async byName(@Ctx() ctx: RequestContext, @Query() q: HcpByNameQueryDto) {
    return page(await this.hcps.listByLastName(ctx, q));
  }

  @Get('byNameStrict/:name')
  @ApiOperation({ summary: 'HCPs whose name is exactly this' })
  async byNameStrict(@Ctx() ctx: RequestContext, @Param('name') name: string) {
    return (await this.hcps.byNameStrict(ctx, name)).map(toDocument);
  }

  @Get('byNihiiOrSsin/:searchValue')
  @ApiOperation({ summary: 'Prefix over ssin, nihii, cbe and ehp (keyset by id)' })
  async byNihiiOrSsin(@Ctx() ctx: RequestContext, @Param('searchValue') v: string, @Query() q: HcpPageQueryDto) {
    return page(await this.hcps.byNihiiOrSsin(ctx, v, q));
  }

  @Get('bySpecialityAndPostCode/:type/:spec/:firstCode/to/:lastCode')
  @ApiOperation({ summary: 'speciality = type, nihiiSpecCode = spec, a postal code in [firstCode, lastCode]' })
  async bySpecialityAndPostCode(
    @Ctx() ctx: RequestContext,
    @Param('type') type: string,
    @Param('spec') spec: string,
    @Param('firstCode') first: string,
    @Param('lastCode') last: string,
    @Query() q: HcpFilterQueryDto,
  ) {
    return page(await this.hcps.bySpecialityAndPostCode(ctx, type, spec, first, last, q));
  }

  @Get('byIds/:ids')
  @ApiOperation({ summary: 'HCPs by comma-separated ids; missing ids skipped' })
  async byIds(@Ctx() ctx: RequestContext, @Param('ids') ids: string) {
    return (await this.hcps.getMany(ctx, splitIds(ids))).map(toDocument);
  }

  @Post('filter')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', description: 'FilterChain {filter, predicate?}' } })
  @ApiOperation({ summary: 'HCPs matching a filter chain (page by id)' })
  async filter(@Ctx() ctx: RequestContext, @Body() chain: Record<string, unknown>, @Query() q: HcpFilterQueryDto) {
    return page(await this.hcps.filter(ctx, chain, q));
  }

  @Post('match')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', description: 'A filter with $type' } })
  @ApiOperation({ summary: 'Ids of HCPs matching a filter' })
  match(@Ctx() ctx: RequestContext, @Body() filter: Record<string, unknown>) {
    return this.hcps.match(ctx, filter);
  }

  @Post()
  @HttpCode(200)
  @AdminOnly()
  @ApiBody(HCP_BODY)
  @ApiOperation({ summary: 'Create an HCP (administrators); id generated when absent; rev -> 400; existing id -> 409' })
  async create(@Ctx() ctx: RequestContext, @Body() doc: HcpDocument) {
    return toDocument(await this.hcps.create(ctx, doc));
  }

  @Put()
  @ApiBody(HCP_BODY)
  @ApiOperation({ summary: 'Replace an HCP at its rev (administrators, or the HCP of the caller); stale -> 409' })
  async modify(@Ctx() ctx: RequestContext, @Body() doc: HcpDocument) {
    return toDocument(await this.hcps.modify(ctx, doc));
  }

  @Post('inGroup/:groupId/byIds')
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' } } } } })
  @ApiOperation({ summary: 'HCPs of another group by ids (administrator of that group or an ancestor)' })
  async inGroupByIds(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Body() body: Record<string, unknown>) {
    const gctx = await this.groups.actInGroup(ctx, groupId);
    return (await this.hcps.getMany(gctx, listOfIds(body))).map(toDocument);
  }

  @Post('inGroup/:groupId')
  @HttpCode(200)
  @ApiBody(HCP_BODY)
  @ApiOperation({ summary: 'Create an HCP in another group (administrator of that group or an ancestor)' })
  async createInGroup(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Body() doc: HcpDocument) {
    return toDocument(await this.hcps.create(await this.groups.actInGroup(ctx, groupId), doc));
  }

  @Put('inGroup/:groupId')
  @ApiBody(HCP_BODY)
  @ApiOperation({ summary: 'Modify an HCP in another group (administrator of that group or an ancestor)' })
  async modifyInGroup(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Body() doc: HcpDocument) {
    return toDocument(await this.hcps.modify(await this.groups.actInGroup(ctx, groupId), doc));
  }

  @Delete('inGroup/:groupId/:ids')
  @ApiOperation({ summary: 'Soft-delete HCPs of another group; returns DocIdentifier[]' })
  async deleteInGroup(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('ids') ids: string) {
    return this.hcps.deleteMany(await this.groups.actInGroup(ctx, groupId), splitIds(ids));
  }

  @Post('register/inGroup/:groupId')
  @HttpCode(200)
  @ApiBody(HCP_BODY)
  @ApiOperation({ summary: 'Create an HCP, a linked user and a login token in a group (administrator of that group or an ancestor)' })
  async register(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Query() q: HcpRegisterQueryDto, @Body() doc: HcpDocument) {
    return this.hcps.register(await this.groups.actInGroup(ctx, groupId), doc, q);
  }

  @Get(':healthcarePartyId/children')
  @ApiOperation({ summary: 'HCPs whose parent is this HCP' })
  async children(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') id: string) {
    return (await this.hcps.children(ctx, id)).map(toDocument);
  }

  @Get(':healthcarePartyId/publicKey')
  @ApiOperation({ summary: 'PublicKey {hcPartyId, hexString}; 404 when none' })
  publicKey(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') id: string) {
    return this.hcps.publicKey(ctx, id);
  }

  @Get(':healthcarePartyId/keys')
  @ApiOperation({ summary: 'Legacy hcPartyKeys of every delegator for this delegate' })
  keys(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') id: string) {
    return this.hcps.keysForDelegate(ctx, id);
  }

  @Get(':healthcarePartyId/aesExchangeKeys')
  @ApiOperation({ summary: 'AES exchange keys of every delegator for this delegate' })
  aesExchangeKeys(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') id: string) {
    return this.hcps.aesExchangeKeysForDelegate(ctx, id);
  }

  @Get(':healthcarePartyId')
  @ApiOperation({ summary: 'One HCP (404)' })
  async get(@Ctx() ctx: RequestContext, @Param('healthcarePartyId') id: string) {
    return toDocument(await this.hcps.get(ctx, id));
  }

  @Delete(':healthcarePartyIds')
  @AdminOnly()
  @ApiOperation({ summary: 'Soft-delete HCPs (comma list; administrators); DocIdentifier[]; 404 when none exists' })
  deleteMany(@Ctx() ctx: RequestContext, @Param('healthcarePartyIds') ids: string) {
    return this.hcps.deleteMany(ctx, splitIds(ids));
  }
}
