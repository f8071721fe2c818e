import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsObject, IsOptional } from 'class-validator';

export class ImportUsersDto {
  @ApiProperty({
    description:
      'Up to 10,000 users: login, email, mobilePhone, externalId, name, firstName, lastName, language, roles, status, and either `password` (clear, policy-checked) or `passwordHash` (argon2id/argon2i, bcrypt $2a$/$2b$/$2y$, Django `pbkdf2_sha256$iter$salt$hash`, a Keycloak credential object, or legacy 64-hex SHA-256)',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @IsObject({ each: true })
  users: Record<string, unknown>[];

  @ApiPropertyOptional({ description: 'Check and report every row, write nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ImportReportDto {
  @ApiProperty() dryRun: boolean;
  @ApiProperty() created: number;
  @ApiProperty() skipped: number;
  @ApiProperty() refused: number;
  @ApiProperty({
    description: 'One entry per input row, in order: `created` (id), `skipped` (duplicate: reason, fields) or `refused` (reason)',
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  rows: Record<string, unknown>[];
}
