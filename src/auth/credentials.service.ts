import { DomainEventsService } from '../audit/domain-events.service';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { UnauthorizedError } from '../common/errors';
import { Principal, RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { ancestorsOfPath } from '../groups/group.entity';
import { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { PasswordHasher } from '../credentials/password/password-hasher';
import { TwoFactorService } from '../credentials/two-factor.service';
import { CoreError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';

export interface AuthenticatedUser {
  user: UserEntity;
  ancestorGroupIds: string[];
  /** Every (group, user) these credentials opened, the chosen one first. */
  matches: UserEntity[];
  /** What matched for the chosen user: its password, or an app token (with the token's key). */
  via?: SecretMatch;
}

export type SecretMatch = { kind: 'password' } | { kind: 'token'; key: string };

/** Keys of the tokens from GET /auth/token/{method}/{path}: bound to one method and path. */
export const ROUTE_TOKEN_PREFIX = 'auth:';

/** `auth:METHOD:path` -> the method and path the token is bound to. */
export function routeOfToken(key: string): { method: string; path: string } | null {
  if (!key.startsWith(ROUTE_TOKEN_PREFIX)) return null;
  const rest = key.slice(ROUTE_TOKEN_PREFIX.length);
  const colon = rest.indexOf(':');
  return colon > 0 ? { method: rest.slice(0, colon), path: rest.slice(colon + 1) } : null;
}

/**
 * Checks a login and a secret (password, `password|TOTP`, or an app token) across groups, with
 * per-account progressive lockout. A locked account fails exactly like a wrong password.
 *
 * Several groups may hold the same login: every candidate is checked, and the chosen one is the
 * match in `preferredGroupId` if given, else the first by group id then user id (stable).
 */
@Injectable()
export class CredentialsService {
  /** A fixed argon2 hash so an unknown login costs the same time as a known one. */
  private dummyHash?: Promise<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly appTokens: AppTokensService,
    private readonly twoFactor: TwoFactorService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly events: DomainEventsService,
  ) {}

  async authenticate(
    identifier: string,
    secret: string,
    opts: { preferredGroupId?: string; allowTokens?: boolean; allowRouteTokens?: boolean } = {},
  ): Promise<AuthenticatedUser> {
    const sys = RequestContext.crossTenant('login');
    // The candidates of live groups, each with its group's path (one statement).
    const found = (await this.users.findLoginCandidatesWithGroupPath(sys, identifier)).filter((c) => c.user.status === 'ACTIVE');
    const candidates = found.map((c) => c.user);
    if (!candidates.length) {
      this.dummyHash ??= this.hasher.hash('caregate-timing-equaliser');
      await this.hasher.verify(await this.dummyHash, secret);
      this.metrics.login('bad_credentials');
      throw new UnauthorizedError('BAD_CREDENTIALS');
    }
    const matched: UserEntity[] = [];
    const via = new Map<UserEntity, SecretMatch>();
    const failed: UserEntity[] = [];
    let twoFactorError: Error | undefined;
    let lockedMatch = false;
    for (const user of candidates) {
      const uctx = RequestContext.crossTenant('login', { groupId: user.groupId });
      const locked = user.lockedUntil !== null && user.lockedUntil > this.clock.now();
      const found = await this.checkSecret(uctx, user, secret, opts.allowTokens ?? true).catch((e: unknown) => {
        twoFactorError ??= e instanceof Error ? e : new Error(String(e));
        return 'second-factor-failed' as const;
      });
      if (found === 'second-factor-failed') continue;
      // A method/path token opens only its own route, never a session (login, check).
      const ok = found !== null && (found.kind === 'password' || opts.allowRouteTokens === true || !routeOfToken(found.key));
      if (ok && !locked) {
        matched.push(user);
        via.set(user, found);
        if (user.failedLoginCount > 0 || user.lockedUntil !== null)
          await this.users.updateBookkeeping(uctx, user.id, { failedLoginCount: 0, lockedUntil: null });
      } else if (!ok) {
        failed.push(user);
      } else lockedMatch = true;
    }
    // A login shared by several groups: a success in one is not a failure of the others.
    if (!matched.length)
      for (const user of failed) await this.recordFailure(RequestContext.crossTenant('login', { groupId: user.groupId }), user);
    this.metrics.login(matched.length ? 'success' : this.failureOutcome(twoFactorError, lockedMatch));
    if (!matched.length) {
      if (twoFactorError) throw twoFactorError;
      throw new UnauthorizedError('BAD_CREDENTIALS');
    }
    const chosen = matched.find((u) => u.groupId === opts.preferredGroupId) ?? matched[0];
    return {
      user: chosen,
      ancestorGroupIds: ancestorsOfPath(found.find((c) => c.user === chosen)!.groupPath),
      matches: [chosen, ...matched.filter((m) => m !== chosen)],
      via: via.get(chosen),
    };
  }

  private failureOutcome(twoFactorError: unknown, lockedMatch: boolean) {
    if (twoFactorError instanceof CoreError)
      return twoFactorError.code === 'TWO_FACTOR_REQUIRED' ? ('second_factor_required' as const) : ('second_factor_invalid' as const);
    return lockedMatch ? ('locked' as const) : ('bad_credentials' as const);
  }

  /** Password (then app token) check; upgrades the hash when parameters changed, it is legacy or not NFC. */
  private async checkSecret(ctx: RequestContext, user: UserEntity, secret: string, allowTokens: boolean): Promise<SecretMatch | null> {
    if (user.use2fa && user.secret) {
      const bar = secret.lastIndexOf('|');
      const password = bar >= 0 ? secret.slice(0, bar) : secret;
      const check = await this.hasher.check(user.passwordHash, password);
      if (check.ok) {
        await this.twoFactor.assertCode(user.secret, bar >= 0 ? secret.slice(bar + 1) : undefined);
        if (check.rehash) await this.users.updateBookkeeping(ctx, user.id, { passwordHash: await this.hasher.hash(password) });
        return { kind: 'password' };
      }
    } else {
      const check = await this.hasher.check(user.passwordHash, secret);
      if (check.ok) {
        if (check.rehash) await this.users.updateBookkeeping(ctx, user.id, { passwordHash: await this.hasher.hash(secret) });
        return { kind: 'password' };
      }
    }
    if (!allowTokens) return null;
    const token = await this.appTokens.findLive(ctx, user.id, secret);
    return token ? { kind: 'token', key: token.key } : null;
  }

  private async recordFailure(ctx: RequestContext, user: UserEntity): Promise<void> {
    const { threshold, baseSeconds, maxSeconds } = this.config.lockout;
    const failures = await this.users.incrementFailures(ctx, user.id);
    await this.events.record(ctx, { action: 'login.failed', subjectType: 'user', subjectId: user.id, actor: 'anonymous' });
    if (failures >= threshold) {
      const seconds = Math.min(maxSeconds, baseSeconds * 2 ** Math.min(failures - threshold, 30));
      await this.users.updateBookkeeping(ctx, user.id, { lockedUntil: this.clock.now() + seconds * 1000 });
      await this.events.record(ctx, {
        action: 'account.locked',
        subjectType: 'user',
        subjectId: user.id,
        actor: 'system',
        fields: ['lockedUntil'],
      });
    }
  }

  static principalOf(
    a: { user: UserEntity; ancestorGroupIds: string[] },
    authMethod: Principal['authMethod'],
    sessionId?: string,
  ): Principal {
    return {
      userId: a.user.id,
      groupId: a.user.groupId,
      roles: a.user.roles ?? [],
      ancestorGroupIds: a.ancestorGroupIds,
      sessionId,
      authMethod,
      login: a.user.login ?? undefined,
    };
  }
}
