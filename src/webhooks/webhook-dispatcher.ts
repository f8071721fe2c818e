import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import type { OutboxEventEntity } from '../audit/outbox-event.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import type { WebhookEntity } from './webhook.entity';
import { signatureHeader } from './webhook-signature';
import { WebhookSender } from './webhook-sender';
import { WebhooksRepository } from './webhooks.repository';

const FAN_OUT_BATCH = 200;
const CLAIM_BATCH = 50;
const MAX_BACKOFF_MS = 6 * 3600_000;
/** Bounds one pass, so a hot outbox cannot keep a pass running forever. */
const MAX_ROUNDS = 1000;

/** The body every hook receives (Standard Webhooks payload shape: type, timestamp, data). */
export function webhookPayload(e: OutboxEventEntity): string {
  return JSON.stringify({
    type: e.action,
    timestamp: new Date(e.occurredAt).toISOString(),
    data: {
      id: e.id,
      groupId: e.groupId,
      action: e.action,
      subject: { type: e.subjectType, id: e.subjectId },
      actor: e.actor,
      fields: e.fields,
      requestId: e.requestId,
      ip: e.ip,
      client: e.client,
      occurredAt: e.occurredAt,
    },
  });
}

/**
 * The background worker: moves outbox events into per-hook deliveries (fan-out), then sends due
 * deliveries, at least once and in order per hook and subject, with exponential backoff and a dead
 * state after CAREGATE_WEBHOOK_MAX_ATTEMPTS. Several instances may run it: claims lock rows
 * (FOR UPDATE SKIP LOCKED on PostgreSQL) and a lease keeps a row with one worker during its HTTP call.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  private readonly sys = RequestContext.anonymous();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: WebhooksRepository,
    private readonly tx: TransactionRunner,
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhooks.worker) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(pollMs = this.config.webhooks.pollMs): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((e: unknown) => this.log.error(e instanceof Error ? e.message : String(e)))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, pollMs).unref();
        });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: fan out everything pending, then send until nothing is due. Tests call it instead of waiting. */
  async runOnce(): Promise<{ fannedOut: number; attempts: number }> {
    let fannedOut = 0;
    let attempts = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const n = await this.fanOut();
      fannedOut += n;
      if (n < FAN_OUT_BATCH) break;
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const n = await this.deliverDue();
      attempts += n;
      if (!n) break;
    }
    return { fannedOut, attempts };
  }

  private async fanOut(): Promise<number> {
    return this.tx.run(this.sys, async (t) => {
      if (!(await this.repo.takeFanOutTurn(t))) return 0;
      const events = await this.repo.claimOutbox(t, FAN_OUT_BATCH);
      if (!events.length) return 0;
      const hooksByGroup = new Map<string, WebhookEntity[]>();
      const rows: WebhookDeliveryEntity[] = [];
      for (const e of events) {
        let hooks = hooksByGroup.get(e.groupId);
        if (!hooks) {
          hooks = await this.repo.enabledHooksOf(t, [e.groupId, ...(await this.repo.ancestorsOf(t, e.groupId))]);
          hooksByGroup.set(e.groupId, hooks);
        }
        const payload = webhookPayload(e);
        for (const h of hooks) {
          if (h.groupId !== e.groupId && !h.includeSubgroups) continue;
          if (h.eventTypes && !h.eventTypes.includes(e.action)) continue;
          if (e.occurredAt < h.created) continue;
          rows.push(
            Object.assign(new WebhookDeliveryEntity(), {
              id: newId(),
              webhookId: h.id,
              groupId: h.groupId,
              eventId: e.id,
              eventPosition: e.position,
              subjectId: e.subjectId,
              action: e.action,
              payload,
              status: 'pending',
              attempts: 0,
              nextAttemptAt: e.occurredAt,
              leaseUntil: null,
              lastStatus: null,
              lastError: null,
              created: this.clock.now(),
              completedAt: null,
            }),
          );
        }
      }
      await this.repo.insertDeliveries(t, rows);
      await this.repo.deleteOutbox(
        t,
        events.map((e) => e.position),
      );
      return events.length;
    });
  }

  private async deliverDue(): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.tx.run(this.sys, async (t) => {
      const rows = await this.repo.claimDue(t, now, CLAIM_BATCH);
      await this.repo.lease(
        t,
        rows.map((r) => r.id),
        now + this.config.webhooks.timeoutMs * 2 + 1000,
      );
      return rows;
    });
    await Promise.all(claimed.map((d) => this.attempt(d)));
    return claimed.length;
  }

  private async attempt(d: WebhookDeliveryEntity): Promise<void> {
    const hook = await this.repo.hookById(this.sys, d.webhookId);
    const attempts = d.attempts + 1;
    if (!hook || !hook.enabled) {
      await this.repo.finish(this.sys, d.id, { status: 'dead', attempts, leaseUntil: null, lastError: 'webhook disabled or deleted' });
      return;
    }
    const sentAt = this.clock.now();
    const ts = Math.floor(sentAt / 1000);
    // Within a rotation's grace period the replaced secret signs too; past it, it is forgotten.
    const previous = hook.previousSecretUntil !== null && sentAt < hook.previousSecretUntil ? hook.previousSecret : null;
    if (hook.previousSecret !== null && previous === null) await this.repo.forgetPreviousSecret(this.sys, hook);
    const secrets = previous === null ? [hook.secret] : [hook.secret, previous];
    const res = await this.sender.send(
      hook.url,
      { 'webhook-id': d.eventId, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader(secrets, d.eventId, ts, d.payload) },
      d.payload,
    );
    const now = this.clock.now();
    const common = { attempts, leaseUntil: null, lastStatus: res.status, lastError: res.error };
    if (res.ok) await this.repo.finish(this.sys, d.id, { ...common, status: 'delivered', completedAt: now });
    else if (attempts >= this.config.webhooks.maxAttempts)
      await this.repo.finish(this.sys, d.id, { ...common, status: 'dead', completedAt: now });
    else
      await this.repo.finish(this.sys, d.id, {
        ...common,
        nextAttemptAt: now + Math.min(this.config.webhooks.backoffBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS),
      });
  }
}
