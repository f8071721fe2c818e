import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppTokensService } from '../../auth/app-tokens/app-tokens.service';
import { Authenticated, Ctx } from '../../auth/guards/decorators';
import { RequestContext } from '../../common/request-context';
import { UsersService } from '../users.service';
import { NativeUserDto, toNativeUser } from './user.mapper';

@ApiTags('user (native)')
@Controller('rest/v2/user')
@Authenticated()
export class UserController {
  constructor(
    private readonly users: UsersService,
    private readonly appTokens: AppTokensService,
  ) {}

  @Get('current')
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ description: 'User' })
  async getCurrentUser(@Ctx() ctx: RequestContext): Promise<NativeUserDto> {
    const user = await this.users.getCurrent(ctx);
    return toNativeUser(user, await this.appTokens.list(ctx, user.id));
  }
}
