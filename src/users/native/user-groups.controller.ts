import { Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokenValidityQueryDto } from '../../auth/group-switch.dto';
import { GroupSwitchService } from '../../auth/group-switch.service';
import { Authenticated, Ctx } from '../../auth/guards/decorators';
import { ValidationError } from '../../common/errors';
import { RequestContext } from '../../common/request-context';
import { toGroupDto } from '../../groups/native/group.dto';

/** Multi-group routes of the native user profile (owned by issue 4). */
@ApiTags('user (native)')
@Controller('rest/v2/user')
@Authenticated()
export class UserGroupsController {
  constructor(private readonly switcher: GroupSwitchService) {}

  @Get('matches')
  @ApiOperation({ summary: 'UserGroup[]: every (group, user) the login of this session matched' })
  async matches(@Ctx() ctx: RequestContext) {
    return (await this.switcher.matches(ctx)).map((m) => {
      const u = m.user;
      return {
        groupId: m.groupId,
        groupName: m.groupName,
        groupsHierarchy: m.groupsHierarchy.map(toGroupDto),
        userId: u.id,
        ...(u.login ? { login: u.login } : {}),
        ...(u.name ? { name: u.name } : {}),
        ...(u.email ? { email: u.email } : {}),
        ...(u.mobilePhone ? { phone: u.mobilePhone } : {}),
        ...(u.patientId ? { patientId: u.patientId } : {}),
        ...(u.healthcarePartyId ? { healthcarePartyId: u.healthcarePartyId } : {}),
        ...(u.deviceId ? { deviceId: u.deviceId } : {}),
        ...(m.nameOfParentOfTopmostGroupInHierarchy ? { nameOfParentOfTopmostGroupInHierarchy: m.nameOfParentOfTopmostGroupInHierarchy } : {}),
      };
    });
  }

  @Post('inAllGroups/token/:userIdentifier/:key')
  @HttpCode(200)
  @ApiHeader({ name: 'token', required: false, description: 'Client-chosen token value' })
  @ApiOperation({ summary: 'TokenWithGroup[]: a token for userIdentifier in every group the caller matched (self, or administrator there)' })
  async tokenInAllGroups(@Ctx() ctx: RequestContext, @Param('userIdentifier') userIdentifier: string, @Param('key') key: string, @Query() q: TokenValidityQueryDto, @Headers('token') token?: string) {
    if (token !== undefined && (token.length < 1 || token.length > 255)) throw new ValidationError([{ loc: ['header', 'token'], type: 'value_error', msg: 'token must be 1 to 255 characters' }]);
    return this.switcher.tokensInAllGroups(ctx, userIdentifier, key, q.tokenValidity ?? 3600, token || undefined);
  }
}
