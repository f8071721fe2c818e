import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Group } from '../../../groups/group.model';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

export class CreateGroupQueryDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(255) name: string;
  @ApiPropertyOptional({ description: 'Parent group (inside the caller subtree); default: the caller group' })
  @IsOptional()
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/)
  superGroup?: string;
  @ApiPropertyOptional() @IsOptional() @IsIn(['root', 'app', 'database']) type?: string;
  @ApiPropertyOptional({ description: 'Ignored (no CouchDB)' }) @IsOptional() @IsString() server?: string;
  @ApiPropertyOptional({ description: 'Ignored (no CouchDB)' }) @IsOptional() @IsString() q?: string;
  @ApiPropertyOptional({ description: 'Ignored (no CouchDB)' }) @IsOptional() @IsString() n?: string;
}

export class ChildrenQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) startDocumentId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) startKey?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(toInt) @IsInt() limit?: number;
}

export class ChildrenSearchQueryDto extends ChildrenQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) searchString?: string;
}

export class ListOfPropertiesDto {
  @ApiProperty({ type: 'array', items: { type: 'object' } }) @IsArray() properties: Record<string, unknown>[];
}

export class RegistrationInformationDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) lastName?: string;
  @ApiProperty({ format: 'email' }) @MaxLength(320) emailAddress: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1024) userOptions?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) userRoles?: string[];
}

export class TrialQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() role?: string;
}

/** SDK Group shape; the password is never echoed. */
export interface GroupDto {
  id: string;
  rev: string;
  name: string;
  superGroup?: string;
  superAdmin: boolean;
  type?: string;
  properties: unknown[];
  tags: unknown[];
  servers: string[];
  defaultUserRoles?: Record<string, string[]>;
  created: number;
  modified: number;
  deletionDate?: number;
}

export function toGroupDto(g: Group): GroupDto {
  return {
    id: g.id,
    rev: g.rev,
    name: g.name,
    ...(g.superGroupId ? { superGroup: g.superGroupId } : {}),
    superAdmin: !!g.superAdmin,
    ...(g.type ? { type: g.type } : {}),
    properties: g.properties ?? [],
    tags: g.tags ?? [],
    servers: [],
    ...(g.defaultUserRoles ? { defaultUserRoles: g.defaultUserRoles } : {}),
    created: g.created,
    modified: g.modified,
    ...(g.deletionDate !== null && g.deletionDate !== undefined ? { deletionDate: g.deletionDate } : {}),
  };
}
