import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DOMAIN_ACTIONS } from '../../../audit/domain-event';
import { MAX_ROTATION_GRACE_SECONDS, type Webhook, type WebhookDelivery } from '../../../webhooks/webhook.model';

const ACTIONS = DOMAIN_ACTIONS as unknown as string[];

export class UpdateWebhookDto {
  @ApiPropertyOptional({ description: 'http(s) endpoint; private, loopback and link-local targets are refused unless allowed' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: DOMAIN_ACTIONS, nullable: true, description: 'Actions to receive; null or absent: all' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsIn(ACTIONS, { each: true })
  eventTypes?: string[] | null;

  @ApiPropertyOptional({ description: 'Also receive the events of every subgroup (default false)' })
  @IsOptional()
  @IsBoolean()
  includeSubgroups?: boolean;

  @ApiPropertyOptional({ description: 'Default true' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string;
}

export class CreateWebhookDto extends UpdateWebhookDto {
  @ApiProperty({ description: 'http(s) endpoint' })
  @IsString()
  @MaxLength(2048)
  declare url: string;
}

export class RotateQueryDto {
  @ApiPropertyOptional({
    description: `Seconds (0..${MAX_ROTATION_GRACE_SECONDS}) during which the replaced secret still signs beside the new one; default 0 (stops at once)`,
  })
  @IsOptional()
  @Transform(({ value }: { value: string | string[] | undefined }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  graceSeconds?: number;
}

export class DeliveriesQueryDto {
  @ApiPropertyOptional({ description: '1..500, default 50' })
  @IsOptional()
  @Transform(({ value }: { value: string | string[] | undefined }) => (/^\d+$/.test(String(value)) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export const toWebhookDto = (h: Webhook, withSecret = false) => ({
  id: h.id,
  groupId: h.groupId,
  url: h.url,
  eventTypes: h.eventTypes,
  includeSubgroups: h.includeSubgroups,
  enabled: h.enabled,
  description: h.description,
  created: h.created,
  modified: h.modified,
  previousSecretUntil: h.previousSecretUntil,
  ...(withSecret ? { secret: h.secret } : {}),
});

export const toDeliveryDto = (d: WebhookDelivery) => ({
  id: d.id,
  webhookId: d.webhookId,
  eventId: d.eventId,
  action: d.action,
  subjectId: d.subjectId,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  created: d.created,
  completedAt: d.completedAt,
});
