import { DomainEventsService } from '../audit/domain-events.service';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { UnauthorizedError } from '../common/errors';
import { Principal, RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { GroupsService } from '../groups/groups.service';
import { UserEntity } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import { AppTokensService } from '../credentials/app-tokens/app-tokens.service';
import { PasswordHasher } from '../credentials/password/password-hasher';
import { TwoFactorService } from '../credentials/two-factor.service';

export interface AuthenticatedUser {
  user: UserEntity;
  ancestorGroupIds: string[];
  /** Every (group, user) these credentials opened, the chosen one first. */
  matches: UserEntity[];
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
    private readonly groups: GroupsService,
    private readonly hasher: PasswordHasher,
    private readonly appTokens: AppTokensService,
    private readonly twoFactor: TwoFactorService,
    private readonly clock: Clock,
    private readonly events: DomainEventsService,
  ) {}

  async authenticate(
    identifier: string,
    secret: string,
    opts: { preferredGroupId?: string; allowTokens?: boolean } = {},
  ): Promise<AuthenticatedUser> {
    const sys = RequestContext.anonymous();
    const candidates = (await this.users.findLoginCandidatesAcrossGroups(sys, identifier)).filter((u) => u.status === 'ACTIVE');
    if (!candidates.length) {
      this.dummyHash ??= this.hasher.hash('caregate-timing-equaliser');
      await this.hasher.verify(await this.dummyHash, secret);
      throw new UnauthorizedError('BAD_CREDENTIALS');
    }
    const matched: UserEntity[] = [];
    const failed: UserEntity[] = [];
    let twoFactorError: unknown;
    for (const user of candidates) {
      const uctx = RequestContext.system(user.groupId);
      const locked = user.lockedUntil !== null && user.lockedUntil > this.clock.now();
      const ok = await this.checkSecret(uctx, user, secret, opts.allowTokens ?? true).catch((e: unknown) => {
        twoFactorError ??= e;
        return 'second-factor-failed' as const;
      });
      if (ok === 'second-factor-failed') continue;
      if (ok && !locked) {
        matched.push(user);
        if (user.failedLoginCount > 0 || user.lockedUntil !== null)
          await this.users.updateBookkeeping(uctx, user.id, { failedLoginCount: 0, lockedUntil: null });
      } else if (!ok) {
        failed.push(user);
      }
    }
    // A login shared by several groups: a success in one is not a failure of the others.
    if (!matched.length) for (const user of failed) await this.recordFailure(RequestContext.system(user.groupId), user);
    if (!matched.length) {
      if (twoFactorError) throw twoFactorError;
      throw new UnauthorizedError('BAD_CREDENTIALS');
    }
    const chosen = matched.find((u) => u.groupId === opts.preferredGroupId) ?? matched[0];
    const group = await this.groups.findById(sys, chosen.groupId);
    if (!group) throw new UnauthorizedError('BAD_CREDENTIALS');
    return { user: chosen, ancestorGroupIds: group.ancestorIds, matches: [chosen, ...matched.filter((m) => m !== chosen)] };
  }

  /** Password (then app token) check; upgrades the hash when parameters changed or it is legacy. */
  private async checkSecret(ctx: RequestContext, user: UserEntity, secret: string, allowTokens: boolean): Promise<boolean> {
    if (user.use2fa && user.secret) {
      const bar = secret.lastIndexOf('|');
      const password = bar >= 0 ? secret.slice(0, bar) : secret;
      if (await this.hasher.verify(user.passwordHash, password)) {
        await this.twoFactor.assertCode(user.secret, bar >= 0 ? secret.slice(bar + 1) : undefined);
        await this.upgradeHash(ctx, user, password);
        return true;
      }
    } else if (await this.hasher.verify(user.passwordHash, secret)) {
      await this.upgradeHash(ctx, user, secret);
      return true;
    }
    return allowTokens && this.appTokens.isValid(ctx, user.id, secret);
  }

  private async upgradeHash(ctx: RequestContext, user: UserEntity, password: string): Promise<void> {
    if (user.passwordHash && this.hasher.needsRehash(user.passwordHash)) {
      await this.users.updateBookkeeping(ctx, user.id, { passwordHash: await this.hasher.hash(password) });
    }
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
