import type { WebhookDeliveryEntity } from './webhook-delivery.entity';
import type { WebhookEntity } from './webhook.entity';

/** A webhook registration as the core hands it out; profiles render this, not the TypeORM class. */
export type Webhook = Pick<
  WebhookEntity,
  | 'id'
  | 'groupId'
  | 'url'
  | 'eventTypes'
  | 'includeSubgroups'
  | 'enabled'
  | 'description'
  | 'created'
  | 'modified'
  | 'secret'
  | 'previousSecretUntil'
>;

/** Longest grace period of a rotation: the old secret signs beside the new one for at most 7 days. */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

/** One delivery of an event to a webhook, as the core hands it out. */
export type WebhookDelivery = Pick<
  WebhookDeliveryEntity,
  | 'id'
  | 'webhookId'
  | 'eventId'
  | 'action'
  | 'subjectId'
  | 'status'
  | 'attempts'
  | 'nextAttemptAt'
  | 'lastStatus'
  | 'lastError'
  | 'created'
  | 'completedAt'
>;
