import { Injectable } from '@nestjs/common';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { ValidationError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { assertSelfOrAdmin } from './user-access';
import { UserQueriesService } from './user-queries.service';

export const DEFAULT_TOKEN_VALIDITY_SECONDS = 3600;
export const MIN_CHOSEN_TOKEN_LENGTH = 32;
const KEY = /^[A-Za-z0-9._:@-]{1,255}$/;

/** App tokens of users (iCure getToken family): self or admin, one per key, returned once. */
@Injectable()
export class UserTokensService {
  constructor(
    private readonly queries: UserQueriesService,
    private readonly tokens: AppTokensService,
  ) {}

  /** `identifier` is an id, login, email or phone of the context's group. */
  async issue(
    ctx: RequestContext,
    identifier: string,
    key: string,
    validitySeconds = DEFAULT_TOKEN_VALIDITY_SECONDS,
    chosen?: string,
  ): Promise<{ token: string; userId: string }> {
    if (!KEY.test(key))
      throw new ValidationError([
        { loc: ['key'], type: 'value_error', msg: 'key must be 1 to 255 characters of [A-Za-z0-9._:@-]', input: key },
      ]);
    if (validitySeconds === 0 || validitySeconds < -1)
      throw new ValidationError([
        {
          loc: ['tokenValidity'],
          type: 'value_error',
          msg: 'tokenValidity must be a positive number of seconds, or -1',
          input: validitySeconds,
        },
      ]);
    // A chosen token is a password that skips the policy: ASVS asks for 128 bits of entropy at least.
    if (chosen !== undefined && (chosen.length < MIN_CHOSEN_TOKEN_LENGTH || chosen.length > 512)) {
      throw new ValidationError([
        {
          loc: ['token'],
          type: 'value_error',
          msg: `A chosen token must have ${MIN_CHOSEN_TOKEN_LENGTH} to 512 characters`,
          input: undefined,
        },
      ]);
    }
    const user = await this.queries.getByIdentifier(ctx, identifier);
    assertSelfOrAdmin(ctx, user.id);
    return { token: await this.tokens.issue(ctx, user.id, key, validitySeconds, chosen), userId: user.id };
  }

  async isValid(ctx: RequestContext, identifier: string, token: string | undefined): Promise<boolean> {
    const user = await this.queries.getByIdentifier(ctx, identifier);
    assertSelfOrAdmin(ctx, user.id);
    if (!token) return false;
    return this.tokens.isValid(ctx, user.id, token);
  }

  /**
   * iCure's token maps on a user document: legacy `applicationTokens` become never-expiring
   * hashed tokens; `authenticationTokens` entries with a clear token are stored hashed, entries
   * with a deletionDate are removed, entries without a token are kept as stored.
   */
  async applyDocumentTokens(
    ctx: RequestContext,
    userId: string,
    applicationTokens: Record<string, string> | undefined,
    authenticationTokens: Record<string, { token?: string; validity?: number; deletionDate?: number }> | undefined,
  ): Promise<void> {
    for (const [key, value] of Object.entries(applicationTokens ?? {})) {
      if (typeof value === 'string' && value.length) await this.tokens.issue(ctx, userId, key, -1, value);
    }
    for (const [key, t] of Object.entries(authenticationTokens ?? {})) {
      if (!t || typeof t !== 'object') continue;
      if (t.deletionDate) await this.tokens.revoke(ctx, userId, key);
      else if (typeof t.token === 'string' && t.token.length)
        await this.tokens.issue(ctx, userId, key, typeof t.validity === 'number' ? t.validity : -1, t.token);
    }
  }
}
