import { AuditCheckpointEntity, AuditEntryEntity } from '../audit/audit-entry.entity';
import { OutboxEventEntity } from '../audit/outbox-event.entity';
import { AuthenticationTokenEntity } from '../credentials/app-tokens/authentication-token.entity';
import { SessionEntity } from '../credentials/sessions/session.entity';
import { VerificationCodeEntity } from '../credentials/verification/verification-code.entity';
import { GroupEntity } from '../groups/group.entity';
import { HealthcarePartyEntity } from '../healthcare-parties/healthcare-party.entity';
import { UserEntity } from '../users/user.entity';
import { SearchKeyEntity } from './search-key.entity';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';

export const ENTITIES = [
  GroupEntity,
  UserEntity,
  HealthcarePartyEntity,
  AuthenticationTokenEntity,
  SessionEntity,
  VerificationCodeEntity,
  SearchKeyEntity,
  OutboxEventEntity,
  AuditEntryEntity,
  AuditCheckpointEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
];
