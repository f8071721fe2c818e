import { AuthenticationTokenEntity } from '../auth/authentication-token.entity';
import { SessionEntity } from '../auth/session.entity';
import { VerificationCodeEntity } from '../auth/verification-code.entity';
import { GroupEntity } from '../groups/group.entity';
import { HealthcarePartyEntity } from '../healthcare-parties/healthcare-party.entity';
import { UserEntity } from '../users/user.entity';

export const ENTITIES = [GroupEntity, UserEntity, HealthcarePartyEntity, AuthenticationTokenEntity, SessionEntity, VerificationCodeEntity];
