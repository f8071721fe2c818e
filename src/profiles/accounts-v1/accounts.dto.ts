import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidationError, ValidationIssue } from '../../common/errors';
import { ADMINISTRATOR } from '../../common/request-context';
import type { User } from '../../users/user.model';
import type { Registration } from '../../provisioning/account-lifecycle.service';

export class AccountUserInput {
  @ApiPropertyOptional({ example: 'john.doe@example.com' }) email?: string;
  @ApiPropertyOptional({ example: 'securepassword123' }) password?: string;
  @ApiPropertyOptional({ example: 'John' }) first_name?: string;
  @ApiPropertyOptional({ example: 'Doe' }) last_name?: string;
  @ApiPropertyOptional({ example: '+1-555-123-4567' }) phone?: string;
  @ApiPropertyOptional({ example: '1990-05-15' }) date_of_birth?: string;
  @ApiPropertyOptional({ example: 'en' }) language?: string;
}

export class AccountEnvelope {
  @ApiProperty({ type: AccountUserInput }) user: AccountUserInput;
  @ApiPropertyOptional() template?: boolean;
  @ApiPropertyOptional() clinical?: boolean;
  @ApiPropertyOptional() native_signup?: boolean;
}

export class AccountUserResponse {
  @ApiProperty({ description: 'Caregate ids are UUIDs (the document shows integers)' }) id: string;
  @ApiProperty() email: string | null;
  @ApiProperty() first_name: string | null;
  @ApiProperty() last_name: string | null;
  @ApiProperty() phone: string | null;
  @ApiProperty() date_of_birth: string | null;
  @ApiProperty() language: string | null;
  @ApiProperty({ example: 'parent' }) role: string;
  @ApiProperty() active: boolean;
  @ApiProperty() clinical: boolean;
  @ApiProperty() confirmed: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export function toAccountUser(u: User): AccountUserResponse {
  return {
    id: u.id,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    phone: u.mobilePhone,
    date_of_birth: u.dateOfBirth,
    language: u.language,
    role: u.accountRole ?? ((u.roles ?? []).includes(ADMINISTRATOR) ? 'admin' : 'user'),
    active: u.status === 'ACTIVE',
    clinical: u.clinical,
    confirmed: u.confirmed,
    created_at: new Date(u.created).toISOString(),
    updated_at: new Date(u.modified).toISOString(),
  };
}

const STRING_FIELDS: [keyof AccountUserInput, keyof Registration][] = [
  ['email', 'email'],
  ['password', 'password'],
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['phone', 'mobilePhone'],
  ['date_of_birth', 'dateOfBirth'],
  ['language', 'language'],
];

/** The `{"user": {...}, "template", "clinical", "native_signup"}` envelope -> core fields (present keys only). */
export function fromEnvelope(body: unknown): Registration {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError([{ loc: ['body', 'user'], type: 'missing', msg: 'user is required' }]);
  const o = body as Record<string, unknown>;
  const user = o.user;
  if (!user || typeof user !== 'object' || Array.isArray(user))
    throw new ValidationError([{ loc: ['body', 'user'], type: 'missing', msg: 'user is required' }]);
  const u = user as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const out: Registration = {};
  for (const [wire, core] of STRING_FIELDS) {
    if (!(wire in u)) continue;
    const v = u[wire];
    if (v !== null && typeof v !== 'string')
      issues.push({ loc: ['body', wire], type: 'string_type', msg: `${wire} must be a string`, input: v });
    else (out as Record<string, unknown>)[core] = v;
  }
  for (const [wire, core] of [
    ['template', 'template'],
    ['clinical', 'clinical'],
    ['native_signup', 'nativeSignup'],
  ] as const) {
    if (!(wire in o) || o[wire] === null) continue;
    if (typeof o[wire] !== 'boolean')
      issues.push({ loc: ['body', wire], type: 'bool_type', msg: `${wire} must be a boolean`, input: o[wire] });
    else out[core] = o[wire];
  }
  if (out.language !== undefined && out.language !== null && !/^[a-z]{2}(-[A-Za-z]{2})?$/.test(out.language))
    issues.push({
      loc: ['body', 'language'],
      type: 'value_error',
      msg: 'language must be a language code such as "en"',
      input: out.language,
    });
  if (issues.length) throw new ValidationError(issues);
  return out;
}
