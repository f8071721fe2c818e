import { Inject, Injectable } from '@nestjs/common';
import { PasswordPolicy } from '../credentials/password/password-policy';
import { RateLimits } from '../auth/rate-limits';
import { SessionsService } from '../credentials/sessions/sessions.service';
import { RESET_TTL_MS, VerificationCodesService } from '../credentials/verification/verification-codes.service';
import { CoreError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError, ValidationIssue } from '../common/errors';
import { ANY_UUID } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { emailProblem } from '../common/validation/email';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupsService } from '../groups/groups.service';
import { NotificationsService } from '../notifications/notifications.service';
import { UserEntity } from '../users/user.entity';
import { assertSelfOrAdmin } from '../users/user-access';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { DomainEventsService } from '../audit/domain-events.service';
import { userUpdateEvents } from '../audit/domain-event';

export interface Registration {
  email?: string | null;
  password?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  mobilePhone?: string | null;
  dateOfBirth?: string | null;
  language?: string | null;
  clinical?: boolean;
  template?: boolean;
  nativeSignup?: boolean;
  /** A label the registering profile gives its accounts (the accounts profile's "parent"). */
  accountRole?: string | null;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * The account lifecycle: self-registration (REGISTERING until confirmed), confirmation codes,
 * password reset in three steps, cancel (inactive, data kept) and delete (admin, permanent).
 */
@Injectable()
export class AccountLifecycleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly groups: GroupsService,
    private readonly codes: VerificationCodesService,
    private readonly notifications: NotificationsService,
    private readonly sessions: SessionsService,
    private readonly policy: PasswordPolicy,
    private readonly limits: RateLimits,
    private readonly tx: TransactionRunner,
    private readonly events: DomainEventsService,
  ) {}

  /** The registration group's context; registration is off without CAREGATE_REGISTRATION_GROUP. */
  async registrationContext(): Promise<RequestContext> {
    const id = this.config.registrationGroup;
    if (!id) throw new ForbiddenError('Self-registration is disabled on this server');
    const group = await this.groups.findById(RequestContext.crossTenant('bootstrap'), id);
    if (!group) throw new ForbiddenError(`Self-registration is misconfigured: the registration group ${id} does not exist`);
    return RequestContext.system(group.id, group.ancestorIds);
  }

  /**
   * Registers a user in the registration group and sends a confirmation code (SMS when a phone is
   * given, else email). A delivery failure rolls everything back (503).
   */
  async register(r: Registration): Promise<UserEntity> {
    const issues: ValidationIssue[] = [];
    for (const [field, value] of [
      ['email', r.email],
      ['password', r.password],
      ['firstName', r.firstName],
      ['lastName', r.lastName],
    ] as const) {
      if (blank(value)) issues.push({ loc: [field], type: 'missing', msg: `${field} is required` });
    }
    issues.push(...this.valueIssues(r));
    if (issues.length) throw new ValidationError(issues);
    const ctx = await this.registrationContext();
    // Hashing before the transaction, delivery after it (TransactionRunner, rule 2); a failed
    // delivery removes what was written, so the caller's 503 leaves nothing behind.
    // The registrant chose this password: never a pre-hashed value, even in the system's context.
    const encodedPassword = await this.users.encodePassword(r.password!, false);
    const { user, code } = await this.tx.run(ctx, async (t) => {
      const user = await this.users.create(t, {
        email: r.email,
        login: r.email!.trim().toLowerCase(),
        encodedPassword,
        firstName: r.firstName?.trim() ?? null,
        lastName: r.lastName?.trim() ?? null,
        name: [r.firstName, r.lastName].filter((x) => !blank(x)).join(' ') || null,
        mobilePhone: r.mobilePhone ?? null,
        dateOfBirth: r.dateOfBirth ?? null,
        language: r.language ?? 'en',
        clinical: r.clinical ?? false,
        template: r.template ?? false,
        nativeSignup: r.nativeSignup ?? false,
        accountRole: r.accountRole ?? null,
        status: 'REGISTERING',
        confirmed: false,
      });
      return { user, code: await this.codes.issueConfirmation(t, user.id) };
    });
    try {
      await this.notifications.deliver(user, 'confirmation', { code, minutes: '10' });
    } catch (e) {
      await this.tx.run(ctx, async (t) => {
        await this.codes.purgeForUser(t, user.id);
        await this.usersRepo.deleteRow(t, user.id);
      });
      throw e;
    }
    return user;
  }

  /** Confirms with a code: the account becomes ACTIVE. Unknown user 404; wrong/expired/used code 401. */
  async confirm(userId: string, code: string): Promise<UserEntity> {
    const ctx = await this.registrationContext();
    const user = ANY_UUID.test(userId) ? await this.usersRepo.findOneInGroup(ctx, userId.toLowerCase()) : null;
    if (!user) throw new NotFoundError('User');
    if (!/^\d{6}$/.test(code) || !(await this.codes.checkConfirmation(ctx, user.id, code)))
      throw new UnauthorizedError('INVALID_CODE', 'Invalid Code');
    return this.tx.runMerge(ctx, async (t) => {
      const current = await this.usersRepo.getForMerge(t, user.id);
      const status = current.status === 'REGISTERING' ? 'ACTIVE' : current.status;
      const rev = await this.usersRepo.updateWithRev(t, current.id, current.rev, { status, confirmed: true });
      await this.events.record(t, ...userUpdateEvents(current.id, { ...current }, { status, confirmed: true }));
      return Object.assign(current, { status, confirmed: true, rev });
    });
  }

  /** A new code for a user still confirming (self, or an administrator of its group); cooldown 60 s. */
  async resendConfirmation(ctx: RequestContext, userId: string = ctx.userId): Promise<void> {
    const user = await this.users.get(ctx, userId);
    assertSelfOrAdmin(ctx, user.id);
    if (user.confirmed) throw new CoreError('CONFLICT', 'This account is already confirmed');
    // Nothing is written for a user no message can reach (422, not a 503 after a stored code).
    this.notifications.assertReachable(user);
    const code = await this.tx.run(
      ctx,
      async (t) => (await this.codes.resendConfirmation(t, user.id)) ?? this.codes.issueConfirmation(t, user.id),
    );
    await this.notifications.deliver(user, 'confirmation', { code, minutes: '10' });
  }

  /**
   * Step 1 of a reset: a token to every live account with that email. Answers the same whether or
   * not one exists (the caller learns nothing); delivery failures are logged, not revealed.
   */
  async requestPasswordReset(
    email: string,
    opts: { template?: { subject?: string; body?: string }; link?: (token: string) => string } = {},
  ): Promise<void> {
    if (blank(email) || emailProblem(email.trim()))
      throw new ValidationError([{ loc: ['email'], type: 'value_error', msg: 'A valid email address is required', input: email }]);
    const targets = await this.usersWithEmail(email.trim().toLowerCase());
    for (const user of targets) {
      const ctx = RequestContext.system(user.groupId);
      const token = await this.codes.issueResetToken(ctx, user.id);
      const link = opts.link?.(token) ?? '';
      await this.notifications
        .deliver(
          user,
          'password_reset',
          { token, link, minutes: String(RESET_TTL_MS / 60000) },
          { preferEmail: true, template: opts.template },
        )
        .catch(() => undefined);
    }
  }

  /** Step 2: is this reset token valid (unused, unexpired)? */
  async validateResetToken(token: string): Promise<boolean> {
    return !blank(token) && (await this.codes.findResetToken(token)) !== null;
  }

  /** Step 3: consume the token (exactly once), set the password, end every session of the user. */
  async resetPassword(token: string, password: string): Promise<UserEntity> {
    if (blank(password)) throw new ValidationError([{ loc: ['password'], type: 'missing', msg: 'password is required' }]);
    const problems = this.policy.problems(password);
    if (problems.length)
      throw new ValidationError(
        problems.map((p) => ({ loc: ['password'], type: p.code, msg: p.msg, ctx: { min_length: this.policy.minLength } })),
      );
    const row = blank(token) ? null : await this.codes.findResetToken(token);
    if (!row) throw new UnauthorizedError('INVALID_CODE', 'Invalid Code');
    const encodedPassword = await this.users.encodePassword(password, false);
    // Consuming the token, the new password and the end of every session commit together.
    return this.tx.run(RequestContext.system(row.groupId), async (t) => {
      if (!(await this.codes.consumeReset(row))) throw new UnauthorizedError('INVALID_CODE', 'Invalid Code');
      const updated = await this.users.update(t, row.userId, { encodedPassword, failedLoginCount: 0, lockedUntil: null } as never, {
        passwordReset: true,
      });
      await this.sessions.revokeAllForUser(t, row.userId, 'password_reset');
      return updated;
    });
  }

  /** Partial update of an account's profile fields (self or administrator), with the same checks as registration. */
  async updateAccount(ctx: RequestContext, userId: string, r: Registration): Promise<UserEntity> {
    const issues: ValidationIssue[] = [];
    for (const [field, value] of [
      ['email', r.email],
      ['firstName', r.firstName],
      ['lastName', r.lastName],
      ['password', r.password],
    ] as const) {
      if (value !== undefined && blank(value)) issues.push({ loc: [field], type: 'missing', msg: `${field} cannot be blank` });
    }
    issues.push(...this.valueIssues(r));
    if (issues.length) throw new ValidationError(issues);
    const patch = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
    return this.users.update(ctx, userId, patch);
  }

  /** Cancel: inactive (DISABLED), data kept, sessions ended at once. Self or administrator. */
  cancel(ctx: RequestContext, userId: string): Promise<UserEntity> {
    return this.users.setStatus(ctx, userId, 'DISABLED', 'cancelled');
  }

  /** Delete: administrators only, permanent (personal data, tokens, codes and sessions). */
  delete(ctx: RequestContext, userId: string): Promise<void> {
    return this.users.hardDelete(ctx, userId);
  }

  /** email_has_account: off by configuration, rate-limited per IP; looks in the registration group if set. */
  async emailHasAccount(email: string, ip: string): Promise<boolean> {
    if (!this.config.emailCheck.enabled) throw new NotFoundError('This endpoint is disabled');
    await this.limits.hit('email-check', ip, this.config.emailCheck.max, this.config.emailCheck.windowSeconds);
    if (blank(email)) throw new ValidationError([{ loc: ['email'], type: 'missing', msg: 'email is required' }]);
    if (this.config.registrationGroup) {
      const ctx = await this.registrationContext();
      return (await this.usersRepo.findByEmail(ctx, email.trim())) !== null;
    }
    return (await this.usersWithEmail(email.trim().toLowerCase())).length > 0;
  }

  private async usersWithEmail(email: string): Promise<UserEntity[]> {
    const all = await this.usersRepo.findLoginCandidatesAcrossGroups(RequestContext.crossTenant('account-lookup'), email);
    return all.filter((u) => u.email === email && u.status !== 'DISABLED');
  }

  /** The value checks registration and profile updates share: email syntax, password policy, date of birth. */
  private valueIssues(r: { email?: string | null; password?: string | null; dateOfBirth?: string | null }): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const email = blank(r.email) ? null : emailProblem(r.email!.trim());
    if (email) issues.push({ loc: ['email'], type: 'value_error', msg: email, input: r.email });
    if (!blank(r.password)) {
      for (const p of this.policy.problems(r.password!))
        issues.push({ loc: ['password'], type: p.code, msg: p.msg, ctx: { min_length: this.policy.minLength } });
    }
    if (r.dateOfBirth && !isIsoDate(r.dateOfBirth))
      issues.push({ loc: ['dateOfBirth'], type: 'date_format', msg: 'dateOfBirth must be a date YYYY-MM-DD', input: r.dateOfBirth });
    return issues;
  }
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}
