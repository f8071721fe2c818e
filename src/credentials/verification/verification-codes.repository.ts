import { In } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/request-context';
import { TransactionRunner } from '../../database/transaction-runner';
import { VerificationCodeEntity } from './verification-code.entity';

/** Codes and reset tokens. Counting and consuming are single conditional UPDATEs (atomic on both dialects). */
@Injectable()
export class VerificationCodesRepository {
  constructor(private readonly tx: TransactionRunner) {}

  private repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(VerificationCodeEntity);
  }

  async insert(ctx: RequestContext, c: VerificationCodeEntity): Promise<void> {
    await this.tx.run(ctx, async (t) => {
      c.groupId = t.groupId;
      await this.repo(t).insert(c);
    });
  }

  /** The live (unconsumed) code of a user for a purpose, newest first. */
  findLive(ctx: RequestContext, userId: string, purpose: string): Promise<VerificationCodeEntity | null> {
    return this.repo(ctx)
      .createQueryBuilder('c')
      .where('c.group_id = :g AND c.user_id = :u AND c.purpose = :p AND c.consumed_at IS NULL', { g: ctx.groupId, u: userId, p: purpose })
      .orderBy('c.created_at', 'DESC')
      .getOne();
  }

  /** Public reset flows: a token identifies its row by hash, whatever the group. */
  findByHashAcrossGroups(ctx: RequestContext, purpose: string, hash: string): Promise<VerificationCodeEntity | null> {
    ctx.assertCrossTenant();
    return this.repo(ctx).createQueryBuilder('c').where('c.purpose = :p AND c.code_hash = :h', { p: purpose, h: hash }).getOne();
  }

  /** Replaces the code of a row (resend) keeping its attempt counter. */
  async replaceCode(ctx: RequestContext, id: string, codeHash: string, now: number, expiresAt: number): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx)
        .createQueryBuilder()
        .update(VerificationCodeEntity)
        .set({ codeHash, lastSentAt: now, expiresAt })
        .where('group_id = :g AND id = :id', { g: ctx.groupId, id })
        .execute();
    });
  }

  /** Takes one attempt if any is left on a live code: true when this caller may evaluate it. */
  async takeAttempt(ctx: RequestContext, id: string, now: number): Promise<boolean> {
    return this.tx.run(ctx, async (ctx) => {
      const r = await this.repo(ctx)
        .createQueryBuilder()
        .update(VerificationCodeEntity)
        .set({ attempts: () => 'attempts + 1' })
        .where('group_id = :g AND id = :id AND attempts < max_attempts AND consumed_at IS NULL AND expires_at > :now', {
          g: ctx.groupId,
          id,
          now,
        })
        .execute();
      return r.affected === 1;
    });
  }

  /** Consumes a live row once: exactly one concurrent caller gets true. */
  async consume(ctx: RequestContext, id: string, now: number): Promise<boolean> {
    return this.tx.run(ctx, async (ctx) => {
      const r = await this.repo(ctx)
        .createQueryBuilder()
        .update(VerificationCodeEntity)
        .set({ consumedAt: now })
        .where('group_id = :g AND id = :id AND consumed_at IS NULL AND expires_at > :now', { g: ctx.groupId, id, now })
        .execute();
      return r.affected === 1;
    });
  }

  async deleteForUser(ctx: RequestContext, userId: string, purpose?: string): Promise<void> {
    return this.tx.run(ctx, async (ctx) => {
      await this.repo(ctx).delete({ groupId: ctx.groupId, userId, ...(purpose ? { purpose } : {}) });
    });
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}
