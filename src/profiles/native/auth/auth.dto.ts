import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';

export class LoginCredentialsDto {
  @ApiPropertyOptional({ example: 'admin', description: 'login, email, phone, user id, or groupId/login' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  username?: string;

  @ApiPropertyOptional({ example: 'correct horse battery staple', description: 'password, password|TOTP, or an app token' })
  @IsOptional()
  @IsString()
  @MaxLength(1100)
  password?: string;
}

export class LoginQueryDto {
  @ApiPropertyOptional({ description: 'Requested access-token lifetime in seconds (capped by configuration)' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  duration?: number;

  @ApiPropertyOptional({ description: 'Preferred group when the credentials match users in several groups' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/)
  groupId?: string;
}

export class AuthenticationResponseDto {
  @ApiProperty() successful: boolean;
  @ApiPropertyOptional() token?: string;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional() userId?: string;
  @ApiPropertyOptional() groupId?: string;
  @ApiPropertyOptional() username?: string;
  @ApiPropertyOptional() healthcarePartyId?: string;
  @ApiPropertyOptional() dataOwnerId?: string;
  @ApiPropertyOptional() reason?: string;
}
