import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidationError } from '../../common/errors';
import { parseUuid } from '../../common/validation/uuid';
import { ADMINISTRATOR } from '../../common/request-context';
import type { User } from '../../users/user.model';

export const PRACTITIONER = 'PRACTITIONER';
const NABLA_ROLES = [ADMINISTRATOR, PRACTITIONER];

/** The document's User schema. */
export class NablaUserDto {
  @ApiProperty({ format: 'uuid', example: '98fce1ef-dbca-41ef-8bc7-4d1621ac07c6' }) id: string;
  @ApiProperty({ description: 'Always true unless you explicitly deactivate the user' }) activated: boolean;
  @ApiProperty({ nullable: true, maxLength: 256, type: String }) external_id: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 500 },
    description: 'Up to 50 keys of at most 40 characters; string values of at most 500 characters',
  })
  metadata: Record<string, string> | null;
  @ApiProperty({ format: 'date-time', example: '2022-03-10T19:16:23.456Z' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'email', deprecated: true }) email: string | null;
  @ApiProperty({ enum: NABLA_ROLES, isArray: true, deprecated: true }) roles: string[];
}

export class NablaUpdateUserDoc {
  @ApiPropertyOptional({ nullable: true, maxLength: 256, type: String }) external_id?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Replaced whole, never merged: up to 50 keys (names <= 40 characters), string values <= 500 characters',
  })
  metadata?: Record<string, string> | null;
}

export class NablaCreateUserDoc extends NablaUpdateUserDoc {
  @ApiPropertyOptional({ nullable: true, type: String, format: 'email' }) email?: string | null;
  @ApiPropertyOptional({ enum: NABLA_ROLES, isArray: true, description: 'Default [PRACTITIONER]' }) roles?: string[];
}

export function toNablaUser(u: User): NablaUserDto {
  const roles = (u.roles ?? []).filter((r) => NABLA_ROLES.includes(r));
  return {
    id: u.id,
    activated: u.status === 'ACTIVE',
    external_id: u.externalId,
    metadata: u.metadata,
    created_at: new Date(u.created).toISOString(),
    email: u.email,
    roles: roles.length ? roles : [PRACTITIONER],
  };
}

export function nablaUserId(raw: string): string {
  const r = parseUuid(raw);
  if ('uuid' in r) return r.uuid;
  throw new ValidationError([{ loc: ['path', 'id'], type: 'uuid_parsing', msg: `id must be a UUID: ${r.problem}`, input: raw }]);
}

function onlyKeys(body: unknown, allowed: string[]): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError([{ loc: ['body'], type: 'model_type', msg: 'The body must be a JSON object' }]);
  }
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length)
    throw new ValidationError(
      extra.map((k) => ({
        loc: ['body', k],
        type: 'extra_forbidden',
        msg: `${k} is not a field of this request (allowed: ${allowed.join(', ')})`,
      })),
    );
  return body as Record<string, unknown>;
}

/** PATCH body -> core input: only the keys present change; metadata is replaced whole. */
export function updateInput(body: unknown): { externalId?: string | null; metadata?: Record<string, string> | null } {
  const o = onlyKeys(body, ['external_id', 'metadata']);
  return {
    ...('external_id' in o ? { externalId: o.external_id as string | null } : {}),
    ...('metadata' in o ? { metadata: o.metadata as Record<string, string> | null } : {}),
  };
}

export function createInput(body: unknown): {
  externalId?: string | null;
  metadata?: Record<string, string> | null;
  email?: string | null;
  roles: string[];
} {
  const o = onlyKeys(body ?? {}, ['external_id', 'metadata', 'email', 'roles']);
  const roles = o.roles ?? [PRACTITIONER];
  if (!Array.isArray(roles) || roles.some((r) => !NABLA_ROLES.includes(r as string))) {
    throw new ValidationError([
      { loc: ['body', 'roles'], type: 'enum', msg: `roles must be a list of ${NABLA_ROLES.join(', ')}`, input: roles },
    ]);
  }
  if (o.email !== undefined && o.email !== null && typeof o.email !== 'string')
    throw new ValidationError([{ loc: ['body', 'email'], type: 'string_type', msg: 'email must be a string or null', input: o.email }]);
  return {
    ...updateInput({ ...('external_id' in o ? { external_id: o.external_id } : {}), ...('metadata' in o ? { metadata: o.metadata } : {}) }),
    ...(o.email !== undefined ? { email: o.email } : {}),
    roles: [...new Set(roles as string[])],
  };
}
