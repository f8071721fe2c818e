import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, MaxLength } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : value === 'true' || value === true
      ? true
      : value === 'false' || value === false
        ? false
        : value;

export class HcpPageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) startKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) startDocumentId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt() limit?: number;
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean() desc?: boolean;
}

export class HcpByNameQueryDto extends HcpPageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) name?: string;
}

export class HcpFilterQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) startDocumentId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt() limit?: number;
}

export class HcpRegisterQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) parentHcPartyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) token?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean() useShortToken?: boolean;
}

export function splitIds(ids: string): string[] {
  return ids
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 1000);
}
