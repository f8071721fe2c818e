import { Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService } from '../../../auth/auth.service';
import { Authenticated, Ctx } from '../../../common/http/decorators';
import { IssueLocations } from '../../../common/http/issue-locations';
import { RequestContext } from '../../../common/request-context';
import { GroupsService } from '../../../groups/groups.service';
import { UserGroupsService } from '../../../users/user-groups.service';
import { TokenQueryDto } from './user.dto';

/** The multi-group routes of /rest/v2/user: matches and tokens in every matching group. */
@ApiTags('user (native)')
@Controller('rest/v2/user')
@Authenticated()
export class UserGroupsController {
  constructor(
    private readonly auth: AuthService,
    private readonly groups: GroupsService,
    private readonly userGroups: UserGroupsService,
  ) {}

  @Get('matches')
  @ApiOperation({ summary: 'Every (group, user) the login matched, with the group hierarchy (UserGroup[])' })
  async getMatchingUsers(@Ctx() ctx: RequestContext) {
    return this.userGroups.describe(ctx, await this.auth.matchesOf(ctx));
  }

  @Post('inAllGroups/token/:userIdentifier/:key')
  @IssueLocations({ key: 'path', tokenValidity: 'query', token: 'header' })
  @HttpCode(200)
  @ApiHeader({ name: 'token', required: false })
  @ApiOperation({ summary: 'One app token per group in which the identifier has a user the caller may act for (TokenWithGroup[])' })
  async getTokenInAllGroups(
    @Ctx() ctx: RequestContext,
    @Param('userIdentifier') identifier: string,
    @Param('key') key: string,
    @Query() q: TokenQueryDto,
    @Headers('token') token?: string,
  ) {
    return this.userGroups.tokensInAllGroups(ctx, await this.auth.matchesOf(ctx), identifier, key, q.tokenValidity, token || undefined);
  }
}
