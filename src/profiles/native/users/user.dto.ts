import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const TYPES = ['database', 'ldap', 'token'] as const;
const STATUSES = ['ACTIVE', 'DISABLED', 'REGISTERING'] as const;

export class PropertyTypeDto {
  @ApiProperty() @IsString() @MaxLength(255) identifier: string;
  @ApiPropertyOptional({ enum: ['BOOLEAN', 'INTEGER', 'DOUBLE', 'STRING', 'DATE', 'CLOB', 'JSON'] })
  @IsOptional()
  @IsIn(['BOOLEAN', 'INTEGER', 'DOUBLE', 'STRING', 'DATE', 'CLOB', 'JSON'])
  type?: string;
}

export class TypedValueDto {
  @ApiPropertyOptional() @IsOptional() @IsIn(['BOOLEAN', 'INTEGER', 'DOUBLE', 'STRING', 'DATE', 'CLOB', 'JSON']) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() booleanValue?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() integerValue?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() doubleValue?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() stringValue?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() dateValue?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() encryptedSelf?: string;
}

/** iCure PropertyStub. */
export class PropertyStubDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) id?: string;
  @ApiPropertyOptional({ type: PropertyTypeDto }) @IsOptional() @ValidateNested() @Type(() => PropertyTypeDto) type?: PropertyTypeDto;
  @ApiPropertyOptional({ type: TypedValueDto }) @IsOptional() @ValidateNested() @Type(() => TypedValueDto) typedValue?: TypedValueDto;
  @ApiPropertyOptional() @IsOptional() @IsNumber() deletionDate?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() encryptedSelf?: string;
}

/**
 * iCure `User` on input: every field the iCure client can send is accepted (unknown ones are 400).
 * Output-only or ignored fields: groupId, systemMetadata, created, createdDate, applicationTokens
 * values, authenticationTokens values, secret is write-only.
 */
export class NativeUserInputDto {
  @ApiPropertyOptional({ description: 'Generated when absent' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'id must be 1 to 64 characters of [A-Za-z0-9._:-]' })
  id?: string;
  @ApiPropertyOptional({ description: 'Required on modify (optimistic concurrency)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  rev?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() deletionDate?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() created?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) name?: string;
  @ApiPropertyOptional({ type: [PropertyStubDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PropertyStubDto)
  properties?: PropertyStubDto[];
  @ApiPropertyOptional({ type: [Object] }) @IsOptional() @IsArray() @IsObject({ each: true }) permissions?: Record<string, unknown>[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  roles?: string[];
  @ApiPropertyOptional({ enum: TYPES }) @IsOptional() @IsIn(TYPES) type?: (typeof TYPES)[number];
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: (typeof STATUSES)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) login?: string;
  @ApiPropertyOptional({ description: '"*" keeps the password; a clear password is checked and hashed; 64 hex = legacy SHA-256' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  passwordHash?: string;
  @ApiPropertyOptional({ description: 'TOTP secret (base32); write-only' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z2-7]{16,128}=*$/i, { message: 'secret must be a base32 TOTP secret' })
  secret?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() use2fa?: boolean;
  @ApiPropertyOptional({ description: 'Output only: the caller group is ignored; another group is a 400 (use the inGroup routes)' })
  @IsOptional()
  @IsString()
  groupId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) healthcarePartyId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) patientId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) deviceId?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() autoDelegations?: Record<string, string[]>;
  @ApiPropertyOptional() @IsOptional() @IsNumber() createdDate?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() termsOfUseDate?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(320) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) mobilePhone?: string;
  @ApiPropertyOptional({ description: 'Deprecated clear tokens: each becomes a never-expiring hashed token' })
  @IsOptional()
  @IsObject()
  applicationTokens?: Record<string, string>;
  @ApiPropertyOptional({ description: 'Entries with a token value are stored hashed; with deletionDate, removed' })
  @IsOptional()
  @IsObject()
  authenticationTokens?: Record<string, { token?: string; creationTime?: number; validity?: number; deletionDate?: number }>;
  @ApiPropertyOptional({ description: 'Read-only' }) @IsOptional() @IsObject() systemMetadata?: Record<string, unknown>;
}

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListUsersQueryDto {
  @ApiPropertyOptional({ description: 'A login (resume key)' }) @IsOptional() @IsString() @MaxLength(255) startKey?: string;
  @ApiPropertyOptional({ description: 'A user id (resume key)' }) @IsOptional() @IsString() @MaxLength(64) startDocumentId?: string;
  @ApiPropertyOptional({ description: 'Page size (default 1000, capped by configuration)' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  limit?: number;
  @ApiPropertyOptional({ description: 'Skip users linked only to a patient (default true)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  skipPatients?: boolean;
}

export class FilterQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) startDocumentId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000) limit?: number;
}

export class TokenQueryDto {
  @ApiPropertyOptional({ description: 'Validity in seconds (default 3600; -1 never expires)' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(-1)
  @Max(31536000)
  tokenValidity?: number;
}

/** FilterChain {filter, predicate?}; the filter's `$type` is checked by the core. */
export class FilterChainDto {
  @ApiPropertyOptional() @IsOptional() @IsString() $type?: string;
  @ApiProperty({ description: 'A filter with a `$type` discriminator' }) @IsObject() filter: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsObject() predicate?: Record<string, unknown>;
}

export class DocIdentifierDto {
  @ApiProperty() id: string;
  @ApiPropertyOptional() rev?: string;
}
