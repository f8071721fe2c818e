import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { newId, nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { PasswordHasher } from '../auth/password/password-hasher';
import { PasswordPolicy } from '../auth/password/password-policy';
import { SessionsService } from '../auth/sessions/sessions.service';
import { UserStatus } from './user.entity';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/** A blank user with every column at its default; services fill what they know. */
export function blankUser(now: number): UserEntity {
  return Object.assign(new UserEntity(), {
    id: newId(),
    rev: nextRev(),
    created: now,
    modified: now,
    deletionDate: null,
    login: null,
    email: null,
    mobilePhone: null,
    externalId: null,
    name: null,
    firstName: null,
    lastName: null,
    dateOfBirth: null,
    language: null,
    status: 'ACTIVE',
    type: 'database',
    passwordHash: null,
    secret: null,
    use2fa: false,
    roles: [],
    permissions: [],
    properties: [],
    autoDelegations: {},
    metadata: null,
    healthcarePartyId: null,
    patientId: null,
    deviceId: null,
    createdDate: now,
    termsOfUseDate: null,
    confirmed: false,
    clinical: false,
    template: false,
    nativeSignup: false,
    accountRole: null,
    failedLoginCount: 0,
    lockedUntil: null,
  } satisfies Omit<UserEntity, 'groupId'>);
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {}

  /** The caller's own user (404 if it was deleted since the token was issued). */
  getCurrent(ctx: RequestContext): Promise<UserEntity> {
    return this.users.getInGroup(ctx, ctx.userId);
  }

  get(ctx: RequestContext, id: string): Promise<UserEntity> {
    return this.users.getInGroup(ctx, id);
  }

  /** Creates a user in ctx's group with a password checked against the policy. */
  async createWithPassword(ctx: RequestContext, fields: Partial<UserEntity>, password: string | undefined): Promise<UserEntity> {
    const user = Object.assign(blankUser(this.clock.now()), fields);
    if (password !== undefined) {
      this.policy.assertAcceptable(password);
      user.passwordHash = await this.hasher.hash(password);
    }
    return this.users.insert(ctx, user);
  }

  /**
   * Enables or disables a user. Anything but ACTIVE ends every session at once: refresh tokens
   * fail immediately and access tokens are refused by the revocation cache.
   */
  async setStatus(ctx: RequestContext, id: string, status: UserStatus, reason: 'disabled' | 'cancelled' = 'disabled'): Promise<UserEntity> {
    const user = await this.users.getInGroup(ctx, id);
    if (user.status !== status) {
      user.rev = await this.users.updateWithRev(ctx, id, user.rev, { status, modified: this.clock.now() });
      user.status = status;
    }
    if (status !== 'ACTIVE') await this.sessions.revokeAllForUser(ctx, id, reason);
    return user;
  }
}
