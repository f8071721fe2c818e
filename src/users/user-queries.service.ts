import { Inject, Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import { NotFoundError, ValidationError } from '../common/errors';
import { KeysetPage, toKeysetPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { UserEntity } from './user.entity';
import { UserFilter } from './user-filters';
import { UsersRepository } from './users.repository';

/** Reads over the users of the context's group: keyset lists, lookups, filters. */
@Injectable()
export class UserQueriesService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A requested page size, defaulted and checked against the configured maximum. */
  pageLimit(limit: number | undefined): number {
    if (limit === undefined) return this.config.pagination.defaultLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.config.pagination.maxLimit) {
      throw new ValidationError([
        {
          loc: ['limit'],
          type: 'value_error',
          msg: `limit must be an integer from 1 to ${this.config.pagination.maxLimit}`,
          input: limit,
        },
      ]);
    }
    return limit;
  }

  /** Users ordered by login then id; `startKey`/`startDocumentId` name the first row of the page. */
  async listByLogin(
    ctx: RequestContext,
    q: { startKey?: string; startDocumentId?: string; limit?: number; skipPatients?: boolean },
  ): Promise<KeysetPage<UserEntity>> {
    const limit = this.pageLimit(q.limit);
    const key = "COALESCE(u.login, '')";
    const qb = this.users.scoped(ctx);
    if (q.skipPatients ?? true) qb.andWhere('NOT (u.patient_id IS NOT NULL AND u.healthcare_party_id IS NULL)');
    const total = await qb.clone().getCount();
    if (q.startKey !== undefined) {
      if (q.startDocumentId !== undefined) {
        qb.andWhere(
          new Brackets((w) =>
            w
              .where(`${key} > :sk`, { sk: q.startKey })
              .orWhere(`(${key} = :sk AND u.id >= :sd)`, { sk: q.startKey, sd: q.startDocumentId }),
          ),
        );
      } else {
        qb.andWhere(`${key} >= :sk`, { sk: q.startKey });
      }
    }
    const rows = await qb
      .orderBy(key, 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit + 1)
      .getMany();
    return toKeysetPage(rows, limit, total, (u) => u.login ?? '');
  }

  async getByEmail(ctx: RequestContext, email: string): Promise<UserEntity> {
    return NotFoundError.assert(await this.users.findByEmail(ctx, email.trim()), 'User with email', email);
  }

  /** Generic identifier: id, then login, email, phone (iCure token routes). */
  async getByIdentifier(ctx: RequestContext, identifier: string): Promise<UserEntity> {
    return NotFoundError.assert(await this.users.findByIdentifier(ctx, identifier), 'User', identifier);
  }

  async idsByHealthcareParty(ctx: RequestContext, hcpId: string): Promise<string[]> {
    const rows = await this.users
      .scoped(ctx)
      .select('u.id', 'id')
      .andWhere('u.healthcare_party_id = :h', { h: hcpId })
      .orderBy('u.id')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async idsByPatient(ctx: RequestContext, patientId: string): Promise<string[]> {
    const rows = await this.users
      .scoped(ctx)
      .select('u.id', 'id')
      .andWhere('u.patient_id = :p', { p: patientId })
      .orderBy('u.id')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Ids matching a filter, sorted by id (descending when the top filter says `desc`). */
  async match(ctx: RequestContext, filter: UserFilter): Promise<string[]> {
    const ids = [...(await this.resolve(ctx, filter))].sort();
    return filter.desc ? ids.reverse() : ids;
  }

  /** iCure filterUsersBy: ordered ids, resume at `startDocumentId`, `limit + 1` rows. */
  async filter(ctx: RequestContext, filter: UserFilter, q: { startDocumentId?: string; limit?: number }): Promise<KeysetPage<UserEntity>> {
    const limit = this.pageLimit(q.limit);
    let ids = await this.match(ctx, filter);
    const total = ids.length;
    if (q.startDocumentId !== undefined) {
      const at = ids.indexOf(q.startDocumentId);
      ids = at >= 0 ? ids.slice(at) : ids.filter((id) => (filter.desc ? id < q.startDocumentId! : id > q.startDocumentId!));
    }
    const pageIds = ids.slice(0, limit + 1);
    const rows = pageIds.length ? await this.users.scoped(ctx).andWhere('u.id IN (:...ids)', { ids: pageIds }).getMany() : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ordered = pageIds.map((id) => byId.get(id)).filter((u): u is UserEntity => !!u);
    return toKeysetPage(ordered, limit, total, () => null);
  }

  private async resolve(ctx: RequestContext, f: UserFilter): Promise<Set<string>> {
    const ids = async (build: (qb: ReturnType<UsersRepository['scoped']>) => void) => {
      const qb = this.users.scoped(ctx).select('u.id', 'id');
      build(qb);
      return new Set((await qb.getRawMany<{ id: string }>()).map((r) => r.id));
    };
    switch (f.$type) {
      case 'AllUsersFilter':
        return ids(() => undefined);
      case 'UserByIdsFilter':
        return f.ids.length ? ids((qb) => qb.andWhere('u.id IN (:...ids)', { ids: f.ids })) : new Set();
      case 'UsersByPatientIdFilter':
        return ids((qb) => qb.andWhere('u.patient_id = :p', { p: f.patientId }));
      case 'UserByNameEmailPhoneFilter': {
        const like = `%${f.searchString.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return ids((qb) =>
          qb.andWhere(
            new Brackets((w) =>
              ['u.name', 'u.first_name', 'u.last_name', 'u.login', 'u.email', 'u.mobile_phone'].forEach((c, i) =>
                i === 0
                  ? w.where(`LOWER(${c}) LIKE :like ESCAPE '\\'`, { like })
                  : w.orWhere(`LOWER(${c}) LIKE :like ESCAPE '\\'`, { like }),
              ),
            ),
          ),
        );
      }
      case 'UnionFilter': {
        const out = new Set<string>();
        for (const sub of f.filters) for (const id of await this.resolve(ctx, sub)) out.add(id);
        return out;
      }
      case 'IntersectionFilter': {
        if (!f.filters.length) return new Set();
        let out = await this.resolve(ctx, f.filters[0]);
        for (const sub of f.filters.slice(1)) {
          const next = await this.resolve(ctx, sub);
          out = new Set([...out].filter((id) => next.has(id)));
        }
        return out;
      }
      case 'ComplementFilter': {
        const sup = await this.resolve(ctx, f.superSet);
        const sub = await this.resolve(ctx, f.subSet);
        return new Set([...sup].filter((id) => !sub.has(id)));
      }
    }
  }
}
