import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ValidationError } from '../common/errors';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { DOMAIN_ACTIONS, DomainEventInput } from '../audit/domain-event';
import { DomainEventsService } from '../audit/domain-events.service';
import { TransactionRunner } from '../database/transaction-runner';
import { UnsafeWebhookUrlError } from './ssrf-guard';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';
import { newWebhookSecret } from './webhook-signature';
import { WebhookSender } from './webhook-sender';
import { WebhooksRepository } from './webhooks.repository';
import { MAX_ROTATION_GRACE_SECONDS } from './webhook.model';

export interface WebhookInput {
  url?: string;
  eventTypes?: string[] | null;
  includeSubgroups?: boolean;
  enabled?: boolean;
  description?: string | null;
}

/** The settings a registration carries, by the names the API uses (the secret is never one of them). */
const SETTINGS = ['url', 'eventTypes', 'includeSubgroups', 'enabled', 'description'] as const;

/**
 * Webhook registrations of a group; `ctx` is already in that group (inGroup check done). Each change
 * is a domain event committed with it (`webhook.*`: the audit trail shows who pointed the group's
 * events where, and when a secret was rotated), naming the changed settings, never the secret.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly tx: TransactionRunner,
    private readonly events: DomainEventsService,
  ) {}

  /** The write and its event, in one transaction. */
  private changed(ctx: RequestContext, write: (t: RequestContext) => Promise<void>, event: DomainEventInput): Promise<void> {
    return this.tx.run(ctx, async (t) => {
      await write(t);
      await this.events.record(t, event);
    });
  }

  list(ctx: RequestContext): Promise<WebhookEntity[]> {
    return this.repo.listInGroup(ctx);
  }

  get(ctx: RequestContext, id: string): Promise<WebhookEntity> {
    return this.repo.getInGroup(ctx, id);
  }

  /** Returns the hook with its secret (shown again only on rotation). */
  async create(ctx: RequestContext, input: WebhookInput): Promise<WebhookEntity> {
    if (input.url === undefined) throw ValidationError.field('url', 'url is required', undefined, 'missing');
    await this.checkInput(input);
    const now = this.clock.now();
    const hook = Object.assign(new WebhookEntity(), {
      id: newId(),
      groupId: ctx.groupId,
      url: input.url,
      secret: newWebhookSecret(),
      previousSecret: null,
      previousSecretUntil: null,
      eventTypes: input.eventTypes ?? null,
      includeSubgroups: input.includeSubgroups ?? false,
      enabled: input.enabled ?? true,
      description: input.description ?? null,
      created: now,
      modified: now,
    });
    const given = SETTINGS.filter((k) => input[k] !== undefined && input[k] !== null);
    await this.changed(ctx, (t) => this.repo.insert(t, hook), {
      action: 'webhook.created',
      subjectType: 'webhook',
      subjectId: hook.id,
      fields: given,
    });
    return hook;
  }

  async update(ctx: RequestContext, id: string, input: WebhookInput): Promise<WebhookEntity> {
    const hook = await this.repo.getInGroup(ctx, id);
    await this.checkInput(input);
    const patch: Partial<WebhookEntity> = { modified: this.clock.now() };
    if (input.url !== undefined) patch.url = input.url;
    if (input.eventTypes !== undefined) patch.eventTypes = input.eventTypes;
    if (input.includeSubgroups !== undefined) patch.includeSubgroups = input.includeSubgroups;
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (input.description !== undefined) patch.description = input.description;
    const fields = SETTINGS.filter((k) => k in patch && JSON.stringify(patch[k] ?? null) !== JSON.stringify(hook[k] ?? null));
    const write = (t: RequestContext) => this.repo.update(t, id, patch);
    // A PUT that changes nothing is not an event.
    if (fields.length) await this.changed(ctx, write, { action: 'webhook.updated', subjectType: 'webhook', subjectId: id, fields });
    else await write(ctx);
    return Object.assign(hook, patch);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.repo.getInGroup(ctx, id);
    await this.changed(ctx, (t) => this.repo.delete(t, id), { action: 'webhook.deleted', subjectType: 'webhook', subjectId: id });
  }

  /**
   * A new secret. With `graceSeconds` (at most 7 days) the replaced secret keeps signing beside it
   * until then, so receivers can switch without refusing deliveries; without, it stops at once (a
   * leaked secret). A rotation within a grace period replaces the older secret for good.
   */
  async rotateSecret(ctx: RequestContext, id: string, graceSeconds = 0): Promise<WebhookEntity> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_ROTATION_GRACE_SECONDS)
      throw ValidationError.field('graceSeconds', `graceSeconds must be an integer from 0 to ${MAX_ROTATION_GRACE_SECONDS}`, graceSeconds);
    const hook = await this.repo.getInGroup(ctx, id);
    const now = this.clock.now();
    const patch: Partial<WebhookEntity> = {
      secret: newWebhookSecret(),
      previousSecret: graceSeconds ? hook.secret : null,
      previousSecretUntil: graceSeconds ? now + graceSeconds * 1000 : null,
      modified: now,
    };
    await this.changed(ctx, (t) => this.repo.update(t, id, patch), {
      action: 'webhook.secret_rotated',
      subjectType: 'webhook',
      subjectId: id,
      fields: ['secret'],
    });
    return Object.assign(hook, patch);
  }

  async deliveries(ctx: RequestContext, id: string, limit = 50): Promise<WebhookDeliveryEntity[]> {
    await this.repo.getInGroup(ctx, id);
    return this.repo.recentDeliveries(ctx, id, Math.min(Math.max(limit, 1), 500));
  }

  /** Queues the delivery's event once more (a new delivery with the same webhook-id and body). */
  async redeliver(ctx: RequestContext, id: string, deliveryId: string): Promise<WebhookDeliveryEntity> {
    await this.repo.getInGroup(ctx, id);
    const d = await this.repo.getDelivery(ctx, id, deliveryId);
    const now = this.clock.now();
    const copy = Object.assign(new WebhookDeliveryEntity(), {
      ...d,
      id: newId(),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      lastStatus: null,
      lastError: null,
      created: now,
      completedAt: null,
    });
    await this.changed(ctx, (t) => this.repo.insertDeliveries(t, [copy]), {
      action: 'webhook.redelivered',
      subjectType: 'webhook',
      subjectId: id,
    });
    return copy;
  }

  private async checkInput(input: WebhookInput): Promise<void> {
    if (input.url !== undefined) {
      if (typeof input.url !== 'string' || input.url.length > 2048)
        throw ValidationError.field('url', 'url must be at most 2048 characters', input.url);
      try {
        await this.sender.check(input.url);
      } catch (e) {
        if (e instanceof UnsafeWebhookUrlError) throw ValidationError.field('url', e.message, input.url);
        throw e;
      }
    }
    const unknown = (input.eventTypes ?? []).filter((t) => !(DOMAIN_ACTIONS as readonly string[]).includes(t));
    if (unknown.length) throw ValidationError.field('eventTypes', `Unknown event types: ${unknown.join(', ')}`, input.eventTypes);
  }
}
