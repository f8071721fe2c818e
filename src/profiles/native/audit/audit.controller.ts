import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { AdminOnly, Ctx } from '../../../common/http/decorators';
import { AuditService } from '../../../audit/audit.service';
import { RequestContext } from '../../../common/request-context';
import { GroupsService } from '../../../groups/groups.service';
import { AuditQueryDto } from './audit.dto';

/**
 * The hash-chained audit trail of a group, for administrators of the group or of an ancestor
 * (other callers 403, unknown group 404). Every state change of users, groups, healthcare parties,
 * credentials and sessions in the group is one row.
 */
@ApiTags('audit (native)')
@Controller('rest/v2/audit/inGroup/:groupId')
@AdminOnly()
export class AuditController {
  constructor(
    private readonly groups: GroupsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Audit rows of a group, newest first (keyset pages; filters: subject, actor, action, from, to)' })
  async list(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string, @Query() q: AuditQueryDto) {
    const g = await this.groups.actInGroup(ctx, groupId);
    return this.audit.page(
      g,
      { subject: q.subject, actor: q.actor, action: q.action, from: q.from, to: q.to, beforeSeq: q.startKey },
      q.limit ?? 100,
    );
  }

  @Get('verify')
  @ApiOperation({
    summary: 'Walks the chain from its signed checkpoint: `ok` with the count, or the first broken row (`brokenAt.seq`) and why',
  })
  async verify(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string) {
    return this.audit.verify(await this.groups.actInGroup(ctx, groupId));
  }

  @Get('export')
  @ApiProduces('application/x-ndjson')
  @ApiOperation({ summary: 'The whole chain, oldest first, as JSON lines (streamed); each line verifies on its own with its neighbours' })
  async export(@Ctx() ctx: RequestContext, @Param('groupId') groupId: string): Promise<StreamableFile> {
    const g = await this.groups.actInGroup(ctx, groupId);
    return new StreamableFile(Readable.from(this.audit.exportLines(g)), { type: 'application/x-ndjson' });
  }
}
