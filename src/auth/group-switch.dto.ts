import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class GroupIdParamDto {
  @ApiProperty() @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'groupId must match [a-zA-Z0-9_-]{1,64}' }) groupId: string;
}

export class TokenValidityQueryDto {
  @ApiPropertyOptional({ description: 'Seconds (default 3600, at most one year)' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(31536000)
  tokenValidity?: number;
}
