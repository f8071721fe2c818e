import { DomainEventsService } from '../../audit/domain-events.service';
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock';
import { newId } from '../../common/ids';
import { RequestContext } from '../../common/request-context';
import { AuthenticationTokenEntity } from './authentication-token.entity';
import { AppTokensRepository } from './app-tokens.repository';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** App tokens: random (or client-chosen) secrets usable as a password, stored only as SHA-256. */
@Injectable()
export class AppTokensService {
  constructor(
    private readonly tokens: AppTokensRepository,
    private readonly clock: Clock,
    private readonly events: DomainEventsService,
  ) {}

  /** Creates or replaces the token for (user, key); returns the clear value once. */
  async issue(ctx: RequestContext, userId: string, key: string, validitySeconds: number, chosen?: string): Promise<string> {
    // 256 bits from the CSPRNG (a UUID carries only 122).
    const value = chosen ?? randomBytes(32).toString('base64url');
    return this.store(ctx, userId, key, validitySeconds, value);
  }

  /**
   * A token for GET /auth/token/{method}/{path}: iCure clients expect 36 characters of [0-9a-f-]
   * (a UUID's shape), so it is 36 random hex digits (144 bits), bound to its route and short-lived.
   */
  issueRouteToken(ctx: RequestContext, userId: string, key: string, validitySeconds: number): Promise<string> {
    return this.store(ctx, userId, key, validitySeconds, randomBytes(18).toString('hex'));
  }

  private async store(ctx: RequestContext, userId: string, key: string, validitySeconds: number, value: string): Promise<string> {
    await this.tokens.upsert(
      ctx,
      Object.assign(new AuthenticationTokenEntity(), {
        id: newId(),
        userId,
        key,
        tokenHash: hashToken(value),
        creationTime: this.clock.now(),
        validity: validitySeconds,
        deletionDate: null,
      }),
    );
    await this.events.record(ctx, { action: 'app_token.issued', subjectType: 'user', subjectId: userId, fields: [`appTokens.${key}`] });
    return value;
  }

  /** True iff `token` matches a live, unexpired token of the user (in ctx's group). */
  async isValid(ctx: RequestContext, userId: string, token: string): Promise<boolean> {
    return (await this.findLive(ctx, userId, token)) !== null;
  }

  /** The live, unexpired token of the user (in ctx's group) that `token` is, if any. */
  async findLive(ctx: RequestContext, userId: string, token: string): Promise<AuthenticationTokenEntity | null> {
    const t = await this.tokens.findByHash(ctx, userId, hashToken(token));
    return t && this.isLive(t) ? t : null;
  }

  isLive(t: AuthenticationTokenEntity): boolean {
    if (t.deletionDate !== null) return false;
    if (t.validity < 0) return true;
    const now = this.clock.now();
    return now >= t.creationTime && now <= t.creationTime + t.validity * 1000;
  }

  list(ctx: RequestContext, userId: string): Promise<AuthenticationTokenEntity[]> {
    return this.tokens.listForUser(ctx, userId);
  }

  async revoke(ctx: RequestContext, userId: string, key: string): Promise<void> {
    await this.tokens.deleteKey(ctx, userId, key);
    await this.events.record(ctx, { action: 'app_token.revoked', subjectType: 'user', subjectId: userId, fields: [`appTokens.${key}`] });
  }

  purgeForUser(ctx: RequestContext, userId: string): Promise<void> {
    return this.tokens.deleteForUser(ctx, userId);
  }

  purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    return this.tokens.purgeGroups(ctx, groupIds);
  }
}
