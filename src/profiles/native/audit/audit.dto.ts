import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DOMAIN_ACTIONS } from '../../../audit/domain-event';

/** A query-string value as the parser hands it over. */
type QueryValue = string | string[] | undefined;

const toInt = ({ value }: { value: QueryValue }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;

/** Epoch milliseconds or an ISO-8601 date-time; anything else stays a string and fails IsInt. */
const toTime = ({ value }: { value: QueryValue }) => {
  if (value === undefined || value === '') return undefined;
  if (/^-?\d+$/.test(String(value))) return Number(value);
  const t = Date.parse(String(value));
  return /^\d{4}-\d{2}-\d{2}/.test(String(value)) && Number.isFinite(t) ? t : value;
};

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Subject id (user, group, healthcare party or session)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subject?: string;

  @ApiPropertyOptional({ description: 'Actor user id, `system` or `anonymous`' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor?: string;

  @ApiPropertyOptional({ enum: DOMAIN_ACTIONS })
  @IsOptional()
  @IsIn(DOMAIN_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ description: 'From (inclusive): epoch milliseconds or ISO-8601' })
  @IsOptional()
  @Transform(toTime)
  @IsInt({ message: 'from must be epoch milliseconds or an ISO-8601 date-time' })
  from?: number;

  @ApiPropertyOptional({ description: 'To (exclusive): epoch milliseconds or ISO-8601' })
  @IsOptional()
  @Transform(toTime)
  @IsInt({ message: 'to must be epoch milliseconds or an ISO-8601 date-time' })
  to?: number;

  @ApiPropertyOptional({ description: 'nextKeyPair.startKey of the previous page (pages go newest first)' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  startKey?: number;

  @ApiPropertyOptional({ description: 'Page size, 1..1000 (default 100)' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
