import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AppTokensService } from '../../../credentials/app-tokens/app-tokens.service';
import { NotImplementedError } from '../../../common/errors';
import { GROUP_ID } from '../../../common/ids';
import { RequestContext } from '../../../common/request-context';
import { ValidationError } from '../../../common/errors';
import type { User } from '../../../users/user.model';
import { AuthService, LoginResult } from '../../../auth/auth.service';
import { Authenticated, AuthRateLimited, Ctx, Public } from '../../../common/http/decorators';
import { AuthenticationResponseDto, LoginCredentialsDto, LoginQueryDto } from './auth.dto';

export function toAuthenticationResponse(r: { user: User; token?: string; refreshToken?: string }): AuthenticationResponseDto {
  const u = r.user;
  const dataOwnerId = u.healthcarePartyId ?? u.patientId ?? u.deviceId ?? undefined;
  return {
    successful: true,
    ...(r.token ? { token: r.token } : {}),
    ...(r.refreshToken ? { refreshToken: r.refreshToken } : {}),
    userId: u.id,
    groupId: u.groupId,
    ...(u.login ? { username: u.login } : {}),
    ...(u.healthcarePartyId ? { healthcarePartyId: u.healthcarePartyId } : {}),
    ...(dataOwnerId ? { dataOwnerId } : {}),
  };
}

function credentials(body: LoginCredentialsDto): { username: string; password: string } {
  if (!body.username || !body.password) {
    throw new ValidationError(
      (['username', 'password'] as const)
        .filter((f) => !body[f])
        .map((f) => ({ loc: ['body', f], type: 'missing', msg: `${f} is required` })),
    );
  }
  return { username: body.username, password: body.password };
}

@ApiTags('auth (native)')
@Controller('rest/v2/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly appTokens: AppTokensService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({
    summary: 'Log in: returns an access JWT and a refresh JWT',
    description:
      '401 bad credentials (a locked account answers the same), 412 when the password is shorter than the policy minimum and does not match, 417 2FA code missing, 406 2FA code wrong, 429 too many attempts from this IP.',
  })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async login(@Body() body: LoginCredentialsDto, @Query() q: LoginQueryDto): Promise<AuthenticationResponseDto> {
    const { username, password } = credentials(body);
    const r: LoginResult = await this.auth.login(username, password, {
      preferredGroupId: q.groupId,
      durationSeconds: Number.isFinite(q.duration) ? q.duration : undefined,
    });
    return toAuthenticationResponse(r);
  }

  @Post('check')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiOperation({ summary: 'Would these credentials log in? (no session is opened)' })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async check(@Body() body: LoginCredentialsDto): Promise<AuthenticationResponseDto> {
    const { username, password } = credentials(body);
    return toAuthenticationResponse({ user: await this.auth.check(username, password) });
  }

  @Post('refresh')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiHeader({ name: 'Refresh-Token', required: true })
  @ApiOperation({ summary: 'New access token for a live session; the refresh token stays valid' })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async refresh(@Headers('refresh-token') refreshToken?: string): Promise<AuthenticationResponseDto> {
    return toAuthenticationResponse(await this.auth.refresh(refreshToken));
  }

  @Post('invalidate')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiHeader({ name: 'Refresh-Token', required: true })
  @ApiOperation({ summary: 'End the session of a refresh token; its access tokens stop working at once' })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async invalidate(@Headers('refresh-token') refreshToken?: string): Promise<AuthenticationResponseDto> {
    await this.auth.invalidate(refreshToken);
    return { successful: true };
  }

  @Get('logout')
  @Authenticated()
  @ApiOperation({ summary: "End the caller's session" })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async logout(@Ctx() ctx: RequestContext): Promise<AuthenticationResponseDto> {
    await this.auth.logout(ctx);
    return { successful: true };
  }

  @Post('logout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: "End the caller's session" })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async logoutPost(@Ctx() ctx: RequestContext): Promise<AuthenticationResponseDto> {
    return this.logout(ctx);
  }

  @Post('switch/:groupId')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiHeader({ name: 'Refresh-Token', required: true })
  @ApiOperation({
    summary: 'Tokens for the same person in another group its login matched',
    description: '401 bad refresh token; 404 when the group is not among the matches.',
  })
  @ApiOkResponse({ type: AuthenticationResponseDto })
  async switchGroup(
    @Param('groupId') groupId: string,
    @Headers('refresh-token') refreshToken?: string,
  ): Promise<AuthenticationResponseDto> {
    if (!GROUP_ID.test(groupId))
      throw new ValidationError([
        { loc: ['path', 'groupId'], type: 'value_error', msg: 'groupId must match [a-zA-Z0-9_-]{1,64}', input: groupId },
      ]);
    return toAuthenticationResponse(await this.auth.switchGroup(refreshToken, groupId));
  }

  @Post('login/:thirdParty')
  @HttpCode(501)
  @Public()
  @ApiOperation({ summary: 'Third-party (OAuth) login: not offered by Caregate (501)' })
  loginWithThirdPartyToken(@Param('thirdParty') thirdParty: string): never {
    throw new NotImplementedError(
      `Login with a ${thirdParty} token is not supported by Caregate: log in with a login and password, or an app token`,
    );
  }

  @Get('token/:method/:path')
  @Authenticated()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'A short-lived (60 s) token of the caller for one method and path; usable as a password' })
  async token(@Ctx() ctx: RequestContext, @Param('method') method: string, @Param('path') path: string): Promise<string> {
    const key = `auth:${method.toUpperCase()}:${path}`.slice(0, 255);
    return this.appTokens.issueRouteToken(ctx, ctx.userId, key, 60);
  }
}
