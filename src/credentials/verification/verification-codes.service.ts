import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Clock } from '../../common/clock';
import { TooManyRequestsError } from '../../common/errors';
import { newId } from '../../common/ids';
import { RequestContext } from '../../common/request-context';
import { VerificationCodeEntity } from './verification-code.entity';
import { VerificationCodesRepository } from './verification-codes.repository';

export type CodePurpose = 'confirm' | 'password_reset';

export const CONFIRM_TTL_MS = 10 * 60 * 1000;
export const RESET_TTL_MS = 30 * 60 * 1000;
export const MAX_ATTEMPTS = 5;
export const RESEND_COOLDOWN_MS = 60 * 1000;

const hash = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Confirmation codes (6 digits from a CSPRNG, 10 minutes, 5 tries) and reset tokens (128 bits,
 * 30 minutes): stored hashed, bound to a user and a purpose, single use.
 */
@Injectable()
export class VerificationCodesService {
  constructor(
    private readonly codes: VerificationCodesRepository,
    private readonly clock: Clock,
  ) {}

  /** A new confirmation code for the user (any previous one is replaced). */
  async issueConfirmation(ctx: RequestContext, userId: string): Promise<string> {
    await this.codes.deleteForUser(ctx, userId, 'confirm');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.insert(ctx, userId, 'confirm', hash(code), CONFIRM_TTL_MS);
    return code;
  }

  /**
   * A fresh code for the live confirmation row, after the cooldown; the try counter is kept.
   * Returns null when the user has no pending confirmation.
   */
  async resendConfirmation(ctx: RequestContext, userId: string): Promise<string | null> {
    const row = await this.codes.findLive(ctx, userId, 'confirm');
    if (!row) return null;
    const now = this.clock.now();
    const wait = row.lastSentAt + RESEND_COOLDOWN_MS - now;
    if (wait > 0) throw new TooManyRequestsError(wait / 1000, 'A code was sent recently: wait before asking for another one');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.codes.replaceCode(ctx, row.id, hash(code), now, now + CONFIRM_TTL_MS);
    return code;
  }

  /** Checks a confirmation code: each evaluation takes one of the 5 tries, atomically; success consumes it. */
  async checkConfirmation(ctx: RequestContext, userId: string, code: string): Promise<boolean> {
    const row = await this.codes.findLive(ctx, userId, 'confirm');
    if (!row) return false;
    const now = this.clock.now();
    if (!(await this.codes.takeAttempt(ctx, row.id, now))) return false;
    if (hash(code) !== row.codeHash) return false;
    return this.codes.consume(ctx, row.id, now);
  }

  async issueResetToken(ctx: RequestContext, userId: string): Promise<string> {
    // 128 bits (ASVS 11.5.1's floor): the accounts profile's reset links carry exactly 22 characters.
    const token = randomBytes(16).toString('base64url');
    await this.insert(ctx, userId, 'password_reset', hash(token), RESET_TTL_MS);
    return token;
  }

  /** The live reset row of a token (not consumed, not expired), without consuming it. */
  async findResetToken(token: string): Promise<VerificationCodeEntity | null> {
    const row = await this.codes.findByHashAcrossGroups(RequestContext.crossTenant('account-lookup'), 'password_reset', hash(token));
    return row && row.consumedAt === null && row.expiresAt > this.clock.now() ? row : null;
  }

  /** Consumes a reset token: exactly one of concurrent uses succeeds. */
  async consumeReset(row: VerificationCodeEntity): Promise<boolean> {
    return this.codes.consume(RequestContext.system(row.groupId), row.id, this.clock.now());
  }

  purgeForUser(ctx: RequestContext, userId: string): Promise<void> {
    return this.codes.deleteForUser(ctx, userId);
  }

  purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    return this.codes.purgeGroups(ctx, groupIds);
  }

  private async insert(ctx: RequestContext, userId: string, purpose: CodePurpose, codeHash: string, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    await this.codes.insert(
      ctx,
      Object.assign(new VerificationCodeEntity(), {
        id: newId(),
        userId,
        purpose,
        codeHash,
        createdAt: now,
        lastSentAt: now,
        expiresAt: now + ttlMs,
        attempts: 0,
        maxAttempts: MAX_ATTEMPTS,
        consumedAt: null,
      }),
    );
  }
}
