import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { ChainRow, rowHash } from './audit-chain';
import { AuditRepository } from './audit.repository';
import type { DomainEvent, DomainEventInput } from './domain-event';
import { currentRequestMetadata } from './request-metadata';

/**
 * Records domain events: each one goes to the outbox (for webhooks) and is appended to its group's
 * hash chain, in the transaction of `ctx` (the change's own) or, without one, in a transaction of its own.
 */
@Injectable()
export class DomainEventsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async record(ctx: RequestContext, ...inputs: DomainEventInput[]): Promise<void> {
    if (!inputs.length) return;
    const events = inputs.map((i) => this.build(ctx, i));
    await this.tx.run(ctx, async (t) => {
      // Each group's chain is locked and read once, then extended in memory (one event or thousands).
      // Locks are taken in one global order (sorted group ids), never in event order: two
      // transactions recording for groups A and B in opposite orders deadlocked on PostgreSQL.
      const heads = new Map<string, { seq: number; hash: string }>();
      for (const groupId of [...new Set(events.map((e) => e.groupId))].sort()) {
        await this.repo.lockChain(t, groupId);
        heads.set(groupId, await this.repo.head(t, groupId));
      }
      const rows: ChainRow[] = [];
      for (const e of events) {
        const head = heads.get(e.groupId)!;
        const row = { ...e, seq: head.seq + 1, prevHash: head.hash };
        const hashed = { ...row, hash: rowHash(row) };
        rows.push(hashed);
        heads.set(e.groupId, { seq: hashed.seq, hash: hashed.hash });
      }
      await this.repo.insertEvents(t, events, rows);
    });
  }

  private build(ctx: RequestContext, i: DomainEventInput): DomainEvent {
    const meta = currentRequestMetadata();
    // A service acting under a system context on behalf of a request: the request's caller is the actor.
    const acting = ctx.isAuthenticated && ctx.user.authMethod !== 'system' ? ctx : (meta?.ctx ?? ctx);
    const principal = acting.isAuthenticated ? acting.user : undefined;
    return {
      id: randomUUID(),
      groupId: i.groupId ?? ctx.groupId,
      occurredAt: this.clock.now(),
      actor: i.actor ?? (principal ? (principal.authMethod === 'system' ? 'system' : principal.userId) : 'anonymous'),
      subjectType: i.subjectType,
      subjectId: i.subjectId,
      action: i.action,
      fields: [...new Set(i.fields ?? [])].sort(),
      requestId: meta?.requestId || ctx.requestId || null,
      ip: meta?.ip ?? ctx.ip ?? null,
      client: clientOf(principal),
    };
  }
}

function clientOf(p: RequestContext['user'] | undefined): string {
  if (!p) return 'anonymous';
  if (p.authMethod === 'jwt' && p.sessionId) return `session:${p.sessionId}`;
  if (p.authMethod === 'basic') return `basic:${p.login ?? p.userId}`;
  return p.authMethod;
}
