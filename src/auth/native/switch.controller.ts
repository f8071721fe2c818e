import { Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GroupIdParamDto } from '../group-switch.dto';
import { GroupSwitchService } from '../group-switch.service';
import { AuthRateLimited, Public } from '../guards/decorators';
import { AuthenticationResponseDto } from './auth.dto';
import { toAuthenticationResponse } from './auth.controller';

@ApiTags('auth (native)')
@Controller('rest/v2/auth')
export class SwitchController {
  constructor(private readonly switcher: GroupSwitchService) {}

  @Post('switch/:groupId')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiHeader({ name: 'Refresh-Token', required: true })
  @ApiOperation({ summary: 'Tokens for the same person in another group its login matched', description: '401 bad refresh token or dead session; 404 group not among the matches.' })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async switchGroup(@Param() p: GroupIdParamDto, @Headers('refresh-token') refreshToken?: string): Promise<AuthenticationResponseDto> {
    return toAuthenticationResponse(await this.switcher.switchGroup(refreshToken, p.groupId));
  }
}
