import { Injectable } from '@nestjs/common';
import { DataSource, QueryDeepPartialEntity, In } from 'typeorm';
import { PreparedFind } from '../database/prepared-find';
import { ConflictError, NotFoundError } from '../common/errors';
import { nextRev } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { fieldOfColumn, uniqueViolationColumns } from '../common/db-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { UserEntity } from './user.entity';

/**
 * The only place with user queries. Every method is scoped by `ctx.groupId`, except the one
 * credential lookup that authentication needs across groups (named so).
 */
@Injectable()
export class UsersRepository {
  private readonly byId: PreparedFind<UserEntity>;

  constructor(
    private readonly tx: TransactionRunner,
    ds: DataSource,
  ) {
    this.byId = new PreparedFind(ds, UserEntity, 'e.group_id = :groupId AND e.id = :id AND e.deletion_date IS NULL', ['groupId', 'id']);
  }

  repo(ctx: RequestContext) {
    return this.tx.manager(ctx).getRepository(UserEntity);
  }

  /** Live (not soft-deleted) users of the context's group. */
  scoped(ctx: RequestContext, alias = 'u') {
    return this.repo(ctx)
      .createQueryBuilder(alias)
      .where(`${alias}.group_id = :groupId`, { groupId: ctx.groupId })
      .andWhere(`${alias}.deletion_date IS NULL`);
  }

  async findOneInGroup(ctx: RequestContext, id: string): Promise<UserEntity | null> {
    return (await this.byId.run(this.tx.manager(ctx), [ctx.groupId, id]))[0] ?? null;
  }

  async getInGroup(ctx: RequestContext, id: string): Promise<UserEntity> {
    return NotFoundError.assert(await this.findOneInGroup(ctx, id), 'User', id);
  }

  findByEmail(ctx: RequestContext, email: string): Promise<UserEntity | null> {
    return this.scoped(ctx).andWhere('LOWER(u.email) = :email', { email: email.toLowerCase() }).orderBy('u.id').getOne();
  }

  /** id, then login, email, mobile phone (iCure "generic identifier"). */
  findByIdentifier(ctx: RequestContext, identifier: string): Promise<UserEntity | null> {
    return this.scoped(ctx)
      .andWhere('(u.id = :v OR u.login = :v OR LOWER(u.email) = LOWER(:v) OR u.mobile_phone = :v)', { v: identifier })
      .orderBy(`CASE WHEN u.id = :v THEN 0 WHEN u.login = :v THEN 1 WHEN LOWER(u.email) = LOWER(:v) THEN 2 ELSE 3 END`)
      .addOrderBy('u.id')
      .getOne();
  }

  /**
   * Authentication only: users in any group whose login, email, phone or id equals `identifier`
   * (or `groupId/userId`). Not for use on tenant data paths.
   */
  findLoginCandidatesAcrossGroups(ctx: RequestContext, identifier: string): Promise<UserEntity[]> {
    ctx.assertCrossTenant();
    const qb = this.repo(ctx).createQueryBuilder('u').where('u.deletion_date IS NULL');
    const slash = identifier.indexOf('/');
    if (slash > 0) {
      const groupId = identifier.slice(0, slash);
      const rest = identifier.slice(slash + 1);
      qb.andWhere('u.group_id = :groupId', { groupId }).andWhere(
        '(u.id = :v OR u.login = :v OR LOWER(u.email) = LOWER(:v) OR u.mobile_phone = :v)',
        { v: rest },
      );
    } else {
      qb.andWhere('(u.id = :v OR u.login = :v OR LOWER(u.email) = LOWER(:v) OR u.mobile_phone = :v)', { v: identifier });
    }
    return qb.orderBy('u.group_id').addOrderBy('u.id').limit(50).getMany();
  }

  /** Inserts; a collision on a unique (group, field) becomes a DUPLICATE conflict naming the fields. */
  async insert(ctx: RequestContext, user: UserEntity): Promise<UserEntity> {
    user.groupId = ctx.groupId;
    try {
      await this.repo(ctx).insert(user as QueryDeepPartialEntity<UserEntity>);
    } catch (e) {
      throw translateUnique(e);
    }
    return user;
  }

  /**
   * Optimistic update: applies `patch` only if the stored rev is `rev`. Missing -> 404, stale -> 409.
   * Returns the new rev.
   */
  async updateWithRev(ctx: RequestContext, id: string, rev: string, patch: Partial<UserEntity>): Promise<string> {
    const newRev = nextRev(rev);
    let affected: number | undefined;
    try {
      const res = await this.repo(ctx)
        .createQueryBuilder()
        .update(UserEntity)
        .set({ ...patch, rev: newRev } as QueryDeepPartialEntity<UserEntity>)
        .where('group_id = :groupId AND id = :id AND rev = :rev AND deletion_date IS NULL', { groupId: ctx.groupId, id, rev })
        .execute();
      affected = res.affected;
    } catch (e) {
      throw translateUnique(e);
    }
    if (!affected) {
      await this.getInGroup(ctx, id);
      throw ConflictError.staleRevision('User', id);
    }
    return newRev;
  }

  /** Unconditional update for system bookkeeping (login failures, rehash); does not change rev. */
  async updateBookkeeping(ctx: RequestContext, id: string, patch: QueryDeepPartialEntity<UserEntity>): Promise<void> {
    await this.repo(ctx)
      .createQueryBuilder()
      .update(UserEntity)
      .set(patch)
      .where('group_id = :groupId AND id = :id', { groupId: ctx.groupId, id })
      .execute();
  }

  /** Atomically counts a failed login and returns the new count. */
  async incrementFailures(ctx: RequestContext, id: string): Promise<number> {
    await this.repo(ctx)
      .createQueryBuilder()
      .update(UserEntity)
      .set({ failedLoginCount: () => 'failed_login_count + 1' })
      .where('group_id = :groupId AND id = :id', { groupId: ctx.groupId, id })
      .execute();
    const row = await this.repo(ctx).findOne({ where: { groupId: ctx.groupId, id }, select: { id: true, failedLoginCount: true } });
    return row?.failedLoginCount ?? 0;
  }

  /** Permanent removal of one user row (hard delete). */
  async deleteRow(ctx: RequestContext, id: string): Promise<void> {
    await this.repo(ctx).delete({ groupId: ctx.groupId, id });
  }

  /** Hard delete of whole groups (a purged subtree, authorised by the caller's administration of its root). */
  async purgeGroups(ctx: RequestContext, groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.repo(ctx).delete({ groupId: In(groupIds) });
  }
}

export function translateUnique(e: unknown): unknown {
  const cols = uniqueViolationColumns(e);
  if (!cols) return e;
  const fields = cols.map(fieldOfColumn);
  return new ConflictError('DUPLICATE', `A user with this ${fields.join(', ')} already exists`, fields);
}
