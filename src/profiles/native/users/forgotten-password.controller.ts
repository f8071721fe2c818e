import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuthRateLimited, Public } from '../../../common/http/decorators';
import { passwordResetLink } from '../../../common/http/password-reset-link';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { AccountLifecycleService } from '../../../provisioning/account-lifecycle.service';

/** iCure EmailTemplate: optional subject and body; `{{token}}`, `{{link}}`, `{{minutes}}` are filled in. */
export class EmailTemplateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) subject?: string;
  @ApiPropertyOptional({ description: 'Text with {{token}}, {{link}} and {{minutes}} placeholders' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  body?: string;
}

@ApiTags('user (native)')
@Controller('rest/v2/user')
export class ForgottenPasswordController {
  constructor(
    private readonly lifecycle: AccountLifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('forgottenPassword/:email')
  @HttpCode(200)
  @Public()
  @AuthRateLimited()
  @ApiBody({ type: EmailTemplateDto, required: false })
  @ApiOkResponse({ type: Boolean, description: 'Always true: the answer does not tell whether the account exists' })
  @ApiOperation({ summary: 'Send a password-reset code to the accounts with this email (public)' })
  async forgottenPassword(@Param('email') email: string, @Body() template?: EmailTemplateDto): Promise<boolean> {
    await this.lifecycle.requestPasswordReset(email, {
      template: template ?? undefined,
      link: (token) => passwordResetLink(this.config.publicBaseUrl, token),
    });
    return true;
  }
}
