import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { OutboxEventEntity } from '../audit/outbox-event.entity';
import { isPostgres, rawQuery } from '../audit/sql';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';

/** The only place with webhook SQL. Hook and delivery reads are scoped by the context's group. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private m(ctx: RequestContext): EntityManager {
    return this.tx.manager(ctx);
  }

  hooks(ctx: RequestContext) {
    return this.m(ctx).getRepository(WebhookEntity);
  }

  deliveries(ctx: RequestContext) {
    return this.m(ctx).getRepository(WebhookDeliveryEntity);
  }

  listInGroup(ctx: RequestContext): Promise<WebhookEntity[]> {
    return this.hooks(ctx).find({ where: { groupId: ctx.groupId }, order: { id: 'ASC' }, take: 1000 });
  }

  async getInGroup(ctx: RequestContext, id: string): Promise<WebhookEntity> {
    return NotFoundError.assert(await this.hooks(ctx).findOne({ where: { groupId: ctx.groupId, id } }), 'Webhook', id);
  }

  async insert(ctx: RequestContext, hook: WebhookEntity): Promise<void> {
    await this.tx.run(ctx, (t) => this.hooks(t).insert(hook));
  }

  async update(ctx: RequestContext, id: string, patch: Partial<WebhookEntity>): Promise<void> {
    await this.tx.run(ctx, (t) => this.hooks(t).update({ groupId: t.groupId, id }, patch));
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.tx.run(ctx, async (t) => {
      await this.deliveries(t).delete({ groupId: t.groupId, webhookId: id });
      await this.hooks(t).delete({ groupId: t.groupId, id });
    });
  }

  recentDeliveries(ctx: RequestContext, webhookId: string, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries(ctx).find({ where: { groupId: ctx.groupId, webhookId }, order: { created: 'DESC', id: 'DESC' }, take: limit });
  }

  async getDelivery(ctx: RequestContext, webhookId: string, id: string): Promise<WebhookDeliveryEntity> {
    return NotFoundError.assert(await this.deliveries(ctx).findOne({ where: { groupId: ctx.groupId, webhookId, id } }), 'Delivery', id);
  }

  async insertDeliveries(ctx: RequestContext, rows: WebhookDeliveryEntity[]): Promise<void> {
    if (rows.length) await this.tx.run(ctx, (t) => this.deliveries(t).insert(rows));
  }

  // --- the dispatcher's reads across groups (it serves every tenant; rows carry their group) ---

  /**
   * One fan-out at a time across instances (PostgreSQL advisory lock, released at commit): two
   * concurrent fan-outs could commit a subject's later event before its earlier one. SQLite
   * transactions are serialised already.
   */
  async takeFanOutTurn(ctx: RequestContext): Promise<boolean> {
    const m = this.m(ctx);
    if (!isPostgres(m)) return true;
    const [row] = await rawQuery<{ ok: boolean }>(m, 'SELECT pg_try_advisory_xact_lock(7244, 1) AS ok');
    return row.ok === true;
  }

  /** Oldest undispatched outbox events; on PostgreSQL locked so two workers never fan out the same event. */
  async claimOutbox(ctx: RequestContext, limit: number): Promise<OutboxEventEntity[]> {
    const m = this.m(ctx);
    const qb = m.getRepository(OutboxEventEntity).createQueryBuilder('o').orderBy('o.position', 'ASC').limit(limit);
    if (isPostgres(m)) qb.setLock('pessimistic_write').setOnLocked('skip_locked');
    return qb.getMany();
  }

  async deleteOutbox(ctx: RequestContext, positions: number[]): Promise<void> {
    if (positions.length) await this.tx.run(ctx, (t) => this.m(t).getRepository(OutboxEventEntity).delete(positions));
  }

  /** Enabled hooks of these groups (the event's group and its ancestors). */
  enabledHooksOf(ctx: RequestContext, groupIds: string[]): Promise<WebhookEntity[]> {
    return this.hooks(ctx)
      .createQueryBuilder('h')
      .where('h.group_id IN (:...ids)', { ids: groupIds })
      .andWhere('h.enabled = :on', { on: true })
      .getMany();
  }

  /** Ancestors of a group, root first (from its materialised path; [] if the group is gone). */
  async ancestorsOf(ctx: RequestContext, groupId: string): Promise<string[]> {
    const [row] = await rawQuery<{ path: string }>(this.m(ctx), 'SELECT path FROM groups WHERE id = ?', [groupId]);
    return row ? row.path.split('/').filter((s) => s && s !== groupId) : [];
  }

  /**
   * Due deliveries whose hook and subject have no earlier pending delivery (order per subject),
   * oldest event first; on PostgreSQL rows locked by another worker are skipped.
   */
  async claimDue(ctx: RequestContext, now: number, limit: number): Promise<WebhookDeliveryEntity[]> {
    const m = this.m(ctx);
    const ids = await rawQuery<{ id: string }>(
      m,
      `SELECT d.id FROM webhook_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                           WHERE e.webhook_id = d.webhook_id AND e.subject_id = d.subject_id AND e.status = 'pending'
                             AND (e.event_position < d.event_position OR (e.event_position = d.event_position AND e.created < d.created)))
        ORDER BY d.event_position, d.created LIMIT ?${isPostgres(m) ? ' FOR UPDATE OF d SKIP LOCKED' : ''}`,
      [now, now, limit],
    );
    if (!ids.length) return [];
    return this.deliveries(ctx)
      .createQueryBuilder('d')
      .where('d.id IN (:...ids)', { ids: ids.map((r) => r.id) })
      .orderBy('d.event_position', 'ASC')
      .getMany();
  }

  async lease(ctx: RequestContext, ids: string[], until: number): Promise<void> {
    if (ids.length)
      await this.tx.run(ctx, (t) => this.deliveries(t).createQueryBuilder().update().set({ leaseUntil: until }).whereInIds(ids).execute());
  }

  async finish(ctx: RequestContext, id: string, patch: Partial<WebhookDeliveryEntity>): Promise<void> {
    await this.tx.run(ctx, (t) => this.deliveries(t).update({ id, status: 'pending' }, patch));
  }

  /** Forgets a rotation's replaced secret after its grace period; a rotation since then is left as it is. */
  async forgetPreviousSecret(ctx: RequestContext, hook: WebhookEntity): Promise<void> {
    if (hook.previousSecretUntil === null) return;
    const until = hook.previousSecretUntil;
    await this.tx.run(ctx, (t) =>
      this.hooks(t).update(
        { groupId: hook.groupId, id: hook.id, previousSecretUntil: until },
        { previousSecret: null, previousSecretUntil: null },
      ),
    );
  }

  hookById(ctx: RequestContext, id: string): Promise<WebhookEntity | null> {
    return this.hooks(ctx).findOne({ where: { id } });
  }
}
