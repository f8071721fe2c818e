import type { KeysetPage } from '../../../common/pagination';
import type { User } from '../../../users/user.model';
import type { UserDocument } from '../../../users/user-documents.service';
import type { NativeUserInputDto } from './user.dto';
import { NativeUserDto, toNativeUser } from './user.mapper';

export function toNativeUserPage(page: KeysetPage<User>): KeysetPage<NativeUserDto> {
  return { ...page, rows: page.rows.map((u) => toNativeUser(u)) };
}

/** Wire DTO -> core document (output-only fields such as systemMetadata are dropped). */
export function toUserDocument(dto: NativeUserInputDto): UserDocument {
  return {
    id: dto.id,
    groupId: dto.groupId,
    rev: dto.rev,
    name: dto.name,
    properties: dto.properties as UserDocument['properties'],
    permissions: dto.permissions,
    roles: dto.roles,
    type: dto.type,
    status: dto.status,
    login: dto.login,
    passwordHash: dto.passwordHash,
    secret: dto.secret,
    use2fa: dto.use2fa,
    healthcarePartyId: dto.healthcarePartyId,
    patientId: dto.patientId,
    deviceId: dto.deviceId,
    autoDelegations: dto.autoDelegations,
    termsOfUseDate: dto.termsOfUseDate,
    email: dto.email,
    mobilePhone: dto.mobilePhone,
    applicationTokens: dto.applicationTokens,
    authenticationTokens: dto.authenticationTokens,
  };
}
