import { Injectable, Optional } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ValidationError } from '../common/errors';
import { RequestContext } from '../common/request-context';
import { emailProblem } from '../common/validation/email';
import { KeycloakCredential, normaliseImportedHash } from '../credentials/password/foreign-hashes';
import { PasswordHasher } from '../credentials/password/password-hasher';
import { PasswordPolicy } from '../credentials/password/password-policy';
import { TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../metrics/metrics.service';
import { UserEntity } from '../users/user.entity';
import { UsersBulkRepository } from '../users/users-bulk.repository';
import { FunctionalRoles } from '../users/functional-roles';
import { DomainEventsService } from '../audit/domain-events.service';
import { createdFields } from '../audit/domain-event';
import { blankUser } from '../users/users.service';

export const MAX_IMPORT_ROWS = 10_000;
/** argon2 runs on libuv's pool (4 threads by default): more in flight only queues. */
const HASH_CONCURRENCY = 4;

/** One user to import: contact keys, names, and a plain password or an existing hash (or neither). */
export interface ImportRow {
  login?: string | null;
  email?: string | null;
  mobilePhone?: string | null;
  externalId?: string | null;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  language?: string | null;
  roles?: string[] | null;
  status?: string | null;
  password?: string | null;
  passwordHash?: string | KeycloakCredential | null;
}

export type ImportRowResult =
  | { row: number; status: 'created'; id: string; hashFormat?: string }
  | { row: number; status: 'skipped'; reason: string; fields: string[] }
  | { row: number; status: 'refused'; reason: string };

export interface ImportReport {
  dryRun: boolean;
  created: number;
  skipped: number;
  refused: number;
  rows: ImportRowResult[];
}

const TEXT_FIELDS = ['login', 'email', 'mobilePhone', 'externalId', 'name', 'firstName', 'lastName', 'language'] as const;
const MAX_LENGTH: Record<(typeof TEXT_FIELDS)[number], number> = {
  login: 255,
  email: 320,
  mobilePhone: 32,
  externalId: 256,
  name: 255,
  firstName: 255,
  lastName: 255,
  language: 16,
};
const KEY_FIELDS = ['login', 'email', 'mobilePhone', 'externalId'] as const;

/**
 * Bulk import into one group. Every row is checked on its own (refused with the reason, or
 * skipped as a duplicate of an existing user or of an earlier row); the accepted rows are then
 * written in ONE transaction per call with multi-row INSERTs: all of them or none (atomic per
 * batch). Existing hashes are stored as given (normalised), never re-hashed; plain passwords are
 * policy-checked and hashed with argon2id before the transaction opens. A dry run does everything
 * but hashing and writing.
 */
@Injectable()
export class UserImportService {
  constructor(
    private readonly bulk: UsersBulkRepository,
    private readonly tx: TransactionRunner,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly clock: Clock,
    private readonly functionalRoles: FunctionalRoles,
    private readonly events: DomainEventsService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async import(ctx: RequestContext, rows: readonly unknown[], opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
    if (!Array.isArray(rows) || rows.length === 0) throw ValidationError.field('users', 'Expected a non-empty array of users');
    if (rows.length > MAX_IMPORT_ROWS)
      throw ValidationError.field('users', `At most ${MAX_IMPORT_ROWS} users per request (got ${rows.length})`);
    const dryRun = opts.dryRun === true;
    const now = this.clock.now();
    const results = new Array<ImportRowResult>(rows.length);
    const candidates: { row: number; user: UserEntity; password?: string; hashFormat?: string }[] = [];
    rows.forEach((raw, row) => {
      const r = this.prepare(ctx, raw, now);
      if ('reason' in r) results[row] = { row, status: 'refused', reason: r.reason };
      else candidates.push({ row, ...r });
    });

    const existing = await this.bulk.existingKeys(ctx, {
      logins: keysOf(candidates, 'login'),
      emails: keysOf(candidates, 'email'),
      mobilePhones: keysOf(candidates, 'mobilePhone'),
      externalIds: keysOf(candidates, 'externalId'),
    });
    const taken = { login: existing.logins, email: existing.emails, mobilePhone: existing.mobilePhones, externalId: existing.externalIds };
    const firstRowOf = new Map<string, number>();
    const accepted: typeof candidates = [];
    for (const c of candidates) {
      const clashes = KEY_FIELDS.filter((f) => c.user[f] !== null && taken[f].has(c.user[f]));
      if (clashes.length) {
        results[c.row] = {
          row: c.row,
          status: 'skipped',
          reason: `A user with this ${clashes.join(', ')} already exists`,
          fields: [...clashes],
        };
        continue;
      }
      const earlier = KEY_FIELDS.filter((f) => c.user[f] !== null && firstRowOf.has(`${f}:${c.user[f]}`));
      if (earlier.length) {
        const other = firstRowOf.get(`${earlier[0]}:${c.user[earlier[0]]}`);
        results[c.row] = { row: c.row, status: 'skipped', reason: `Same ${earlier.join(', ')} as row ${other}`, fields: [...earlier] };
        continue;
      }
      for (const f of KEY_FIELDS) if (c.user[f] !== null) firstRowOf.set(`${f}:${c.user[f]}`, c.row);
      accepted.push(c);
    }

    if (!dryRun) {
      await this.hashPlainPasswords(accepted);
      // The users and their user.created events commit together.
      await this.tx.run(ctx, async (tctx) => {
        await this.bulk.insertMany(
          tctx,
          accepted.map((c) => c.user),
        );
        await this.events.record(
          tctx,
          ...accepted.map((c) => ({
            action: 'user.created' as const,
            subjectType: 'user' as const,
            subjectId: c.user.id,
            fields: createdFields({
              login: c.user.login,
              email: c.user.email,
              mobilePhone: c.user.mobilePhone,
              externalId: c.user.externalId,
              name: c.user.name,
              firstName: c.user.firstName,
              lastName: c.user.lastName,
              roles: c.user.roles?.length ? c.user.roles : undefined,
              status: c.user.status,
              passwordHash: c.user.passwordHash,
            }),
          })),
        );
      });
    }
    for (const c of accepted)
      results[c.row] = { row: c.row, status: 'created', id: c.user.id, ...(c.hashFormat ? { hashFormat: c.hashFormat } : {}) };
    const count = (s: ImportRowResult['status']) => results.filter((r) => r.status === s).length;
    const report = { dryRun, created: count('created'), skipped: count('skipped'), refused: count('refused'), rows: results };
    if (!dryRun) for (const s of ['created', 'skipped', 'refused'] as const) this.metrics?.importRows(s, report[s]);
    return report;
  }

  /** One row checked and turned into a user (password still clear), or the reason it is refused. */
  private prepare(
    ctx: RequestContext,
    raw: unknown,
    now: number,
  ): { user: UserEntity; password?: string; hashFormat?: string } | { reason: string } {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { reason: 'expected an object' };
    const r = raw as ImportRow;
    const user = blankUser(now);
    for (const f of TEXT_FIELDS) {
      const v = r[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') return { reason: `${f}: expected a string` };
      const t = v.trim();
      if (t.length > MAX_LENGTH[f]) return { reason: `${f}: at most ${MAX_LENGTH[f]} characters` };
      if (t.includes('\u0000')) return { reason: `${f}: contains a NUL character` };
      user[f] = t === '' ? null : t;
    }
    if (user.email) {
      user.email = user.email.toLowerCase();
      const problem = emailProblem(user.email);
      if (problem) return { reason: `email: ${problem}` };
    }
    if (!user.login && !user.email && !user.mobilePhone) return { reason: 'a login, email or mobilePhone is required' };
    if (r.status !== undefined && r.status !== null) {
      if (r.status !== 'ACTIVE' && r.status !== 'DISABLED') return { reason: 'status: expected ACTIVE or DISABLED' };
      user.status = r.status;
    }
    if (r.roles !== undefined && r.roles !== null) {
      if (!Array.isArray(r.roles) || r.roles.some((x) => typeof x !== 'string' || x.length > 64))
        return { reason: 'roles: expected strings' };
      // Non-escalation, as on every other write: only roles the caller holds, or functional ones.
      const system = ctx.user.authMethod === 'system';
      const refused = r.roles.filter((x) => !system && !ctx.hasRole(x) && !this.functionalRoles.has(x));
      if (refused.length) return { reason: `roles: you cannot grant roles you do not hold: ${refused.join(', ')}` };
      user.roles = [...new Set(r.roles)];
    }
    const hasPassword = r.password !== undefined && r.password !== null;
    const hasHash = r.passwordHash !== undefined && r.passwordHash !== null;
    if (hasPassword && hasHash) return { reason: 'give either password or passwordHash, not both' };
    if (hasPassword) {
      if (typeof r.password !== 'string') return { reason: 'password: expected a string' };
      const [p] = this.policy.problems(r.password);
      if (p) return { reason: `password: ${p.msg}` };
      return { user, password: r.password };
    }
    if (hasHash) {
      if (typeof r.passwordHash !== 'string' && typeof r.passwordHash !== 'object') return { reason: 'passwordHash: expected a string' };
      const h = normaliseImportedHash(r.passwordHash as string | KeycloakCredential);
      if ('reason' in h) return { reason: `passwordHash: ${h.reason}` };
      user.passwordHash = h.hash;
      return { user, hashFormat: h.format };
    }
    return { user };
  }

  private async hashPlainPasswords(accepted: { user: UserEntity; password?: string }[]): Promise<void> {
    const queue = accepted.filter((c) => c.password !== undefined);
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) c.user.passwordHash = await this.hasher.hash(c.password!);
    };
    await Promise.all(Array.from({ length: HASH_CONCURRENCY }, worker));
  }
}

function keysOf(candidates: { user: UserEntity }[], field: (typeof KEY_FIELDS)[number]): string[] {
  return [...new Set(candidates.map((c) => c.user[field]).filter((v): v is string => v !== null))];
}
