import { Injectable } from '@nestjs/common';
import { ConflictError, ValidationError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import type { PropertyValue } from '../groups/group.entity';
import { UserEntity, UserStatus } from './user.entity';
import { assertSelfOrAdmin } from './user-access';
import { UserTokensService } from './user-tokens.service';
import { UserInput, UsersService } from './users.service';

/** A user as a whole document (iCure's User): what create and full modify receive. */
export interface UserDocument {
  id?: string;
  /** Output-only; naming another group is refused (the inGroup routes exist for that). */
  groupId?: string | null;
  rev?: string;
  name?: string;
  properties?: PropertyValue[];
  permissions?: unknown[];
  roles?: string[];
  type?: string;
  status?: UserStatus;
  login?: string;
  passwordHash?: string;
  secret?: string;
  use2fa?: boolean;
  healthcarePartyId?: string;
  patientId?: string;
  deviceId?: string;
  autoDelegations?: Record<string, string[]>;
  termsOfUseDate?: number;
  email?: string;
  mobilePhone?: string;
  applicationTokens?: Record<string, string>;
  authenticationTokens?: Record<string, { token?: string; validity?: number; deletionDate?: number }>;
}

/**
 * Document semantics of users (contract 4.2/4.3): `passwordHash` "*" keeps the password, anything
 * else is a new password (or a legacy 64-hex hash); login defaults to email then phone; modify is
 * a full replacement at a given rev; token maps are applied in the same transaction.
 */
@Injectable()
export class UserDocumentsService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: UserTokensService,
    private readonly tx: TransactionRunner,
  ) {}

  async create(ctx: RequestContext, doc: UserDocument): Promise<UserEntity> {
    if (doc.rev) return this.replace(ctx, doc);
    this.assertOwnGroup(ctx, doc);
    const blank = (s?: string | null) => (s === undefined || s === null || s.trim() === '' ? undefined : s);
    const login = blank(doc.login) ?? blank(doc.email) ?? blank(doc.mobilePhone);
    if (!login) throw new ValidationError([{ loc: ['login'], type: 'missing', msg: 'One of Email, Login or Mobile Phone must be set' }]);
    this.assertSecondFactor(doc, null);
    const encodedPassword = await this.encodedPassword(ctx, doc);
    return this.tx.run(ctx, async (t) => {
      const user = await this.users.create(t, {
        ...this.fields(doc),
        login,
        ...(doc.id ? { id: doc.id } : {}),
        status: doc.status ?? 'ACTIVE',
        encodedPassword,
      });
      await this.tokens.applyDocumentTokens(t, user.id, doc.applicationTokens, doc.authenticationTokens);
      return user;
    });
  }

  /**
   * A body `groupId` never moves a user: the caller's own group (what the client read) is accepted
   * and ignored; naming another group is a 400 and nothing is written.
   */
  private assertOwnGroup(ctx: RequestContext, doc: UserDocument): void {
    if (doc.groupId !== undefined && doc.groupId !== null && doc.groupId !== ctx.groupId) {
      throw ValidationError.field(
        'groupId',
        'groupId must be the group the user is written to (use the inGroup routes for another group)',
        doc.groupId,
      );
    }
  }

  /** Full modify at `rev`: missing user 404, stale or absent rev 409. */
  async replace(ctx: RequestContext, doc: UserDocument, opts: { endOtherSessions?: boolean } = {}): Promise<UserEntity> {
    if (!doc.id) throw new ValidationError([{ loc: ['id'], type: 'missing', msg: 'id is required to modify a user' }]);
    const current = await this.users.get(ctx, doc.id);
    this.assertOwnGroup(ctx, doc);
    assertSelfOrAdmin(ctx, current.id);
    if (!doc.rev) throw new ConflictError('CONFLICT', `A revision (rev) is required to modify user ${doc.id}`);
    this.assertSecondFactor(doc, current);
    const input: UserInput = { ...this.fields(doc), encodedPassword: await this.encodedPassword(ctx, doc) };
    // Absent roles/permissions/status mean "unchanged" (a non-admin's client may not echo them).
    if (doc.roles === undefined) delete input.roles;
    if (doc.permissions === undefined) delete input.permissions;
    if (doc.status === undefined) delete input.status;
    if (doc.secret === undefined) delete input.secret;
    if (doc.login === undefined) input.login = current.login;
    return this.tx.run(ctx, async (t) => {
      const user = await this.users.update(t, doc.id!, input, { rev: doc.rev, endOtherSessions: opts.endOtherSessions });
      await this.tokens.applyDocumentTokens(t, user.id, doc.applicationTokens, doc.authenticationTokens);
      return user;
    });
  }

  /** Hashed here, before the transaction opens (TransactionRunner, rule 2). */
  private async encodedPassword(ctx: RequestContext, doc: UserDocument): Promise<string | undefined> {
    const clear: unknown = doc.passwordHash;
    // Absent, null, empty or the "*" placeholder of a set password: the password stays as it is.
    if (clear === undefined || clear === null || clear === '*' || clear === '') return undefined;
    if (typeof clear !== 'string') throw ValidationError.field('passwordHash', 'passwordHash must be a string');
    // Only administrators (and the system) may hand a pre-hashed legacy value.
    return this.users.encodePassword(clear, ctx.isAdmin);
  }

  private assertSecondFactor(doc: UserDocument, current: UserEntity | null): void {
    if (doc.use2fa && !doc.secret && !current?.secret) {
      throw new ValidationError([{ loc: ['secret'], type: 'missing', msg: 'use2fa requires a TOTP secret' }]);
    }
  }

  /** Replaceable fields of the document (absent -> cleared, as a document store would). */
  private fields(doc: UserDocument): UserInput {
    return {
      name: doc.name ?? null,
      properties: doc.properties ?? [],
      permissions: doc.permissions ?? [],
      roles: doc.roles ?? [],
      type: doc.type ?? 'database',
      status: doc.status,
      login: doc.login ?? null,
      secret: doc.secret ?? null,
      use2fa: doc.use2fa ?? false,
      healthcarePartyId: doc.healthcarePartyId ?? null,
      patientId: doc.patientId ?? null,
      deviceId: doc.deviceId ?? null,
      autoDelegations: doc.autoDelegations ?? {},
      termsOfUseDate: doc.termsOfUseDate ?? null,
      email: doc.email ?? null,
      mobilePhone: doc.mobilePhone ?? null,
    };
  }
}
