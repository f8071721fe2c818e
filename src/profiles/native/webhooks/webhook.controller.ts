import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Ctx } from '../../../common/http/decorators';
import { RequestContext } from '../../../common/request-context';
import { GroupsService } from '../../../groups/groups.service';
import { WebhooksService } from '../../../webhooks/webhooks.service';
import { CreateWebhookDto, DeliveriesQueryDto, RotateQueryDto, toDeliveryDto, toWebhookDto, UpdateWebhookDto } from './webhook.dto';

/**
 * Signed webhooks of a group, for administrators of the group or of an ancestor (others 403,
 * unknown group 404, a hook of another group 404). Deliveries carry the Standard Webhooks headers
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256 with the hook's secret).
 */
@ApiTags('webhook (native)')
@Controller('rest/v2/webhook/inGroup/:groupId')
@AdminOnly()
export class WebhookController {
  constructor(
    private readonly groups: GroupsService,
    private readonly hooks: WebhooksService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Register an endpoint; the answer shows its secret (`whsec_...`) this once' })
  async create(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Body() body: CreateWebhookDto) {
    return toWebhookDto(await this.hooks.create(await this.groups.actInGroup(ctx, groupId), body), true);
  }

  @Get()
  @ApiOperation({ summary: 'Endpoints of the group (without secrets)' })
  async list(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string) {
    return (await this.hooks.list(await this.groups.actInGroup(ctx, groupId))).map((h) => toWebhookDto(h));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One endpoint (without its secret)' })
  async get(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('id') id: string) {
    return toWebhookDto(await this.hooks.get(await this.groups.actInGroup(ctx, groupId), id));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change url, event types, subgroup delivery, enabled or description (absent fields unchanged)' })
  async update(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('id') id: string, @Body() body: UpdateWebhookDto) {
    return toWebhookDto(await this.hooks.update(await this.groups.actInGroup(ctx, groupId), id, body));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove an endpoint and its delivery log' })
  async delete(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('id') id: string) {
    await this.hooks.delete(await this.groups.actInGroup(ctx, groupId), id);
    return { id, deleted: true };
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new secret (shown this once); the old one stops signing at once, or signs beside it for graceSeconds',
  })
  async rotate(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('id') id: string, @Query() q: RotateQueryDto) {
    return toWebhookDto(await this.hooks.rotateSecret(await this.groups.actInGroup(ctx, groupId), id, q.graceSeconds), true);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Recent deliveries, newest first (status pending, delivered or dead; attempts; last HTTP status)' })
  async deliveries(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Param('id') id: string, @Query() q: DeliveriesQueryDto) {
    return (await this.hooks.deliveries(await this.groups.actInGroup(ctx, groupId), id, q.limit ?? 50)).map(toDeliveryDto);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a delivered or dead event once more (same webhook-id and body)' })
  async redeliver(
    @Ctx() ctx: RequestContext,
    @Param('groupId') groupId: string,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ) {
    return toDeliveryDto(await this.hooks.redeliver(await this.groups.actInGroup(ctx, groupId), id, deliveryId));
  }
}
