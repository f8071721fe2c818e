import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { KeysetPage, MATCH_CAP, pageLimit, toKeysetPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { UserEntity } from './user.entity';
import { UserFilter } from './user-filters';
import { TokenKey, UsersRepository } from './users.repository';

/** Reads over the users of the context's group: keyset lists, lookups, filters. */
@Injectable()
export class UserQueriesService {
  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Users ordered by login then id; `startKey`/`startDocumentId` name the first row of the page. */
  async listByLogin(
    ctx: RequestContext,
    q: { startKey?: string; startDocumentId?: string; limit?: number; skipPatients?: boolean },
  ): Promise<KeysetPage<UserEntity>> {
    const limit = pageLimit(q.limit, this.config.pagination);
    const skipPatients = q.skipPatients ?? true;
    const rows = await this.users.listByLogin(ctx, { ...q, skipPatients, limit: limit + 1 });
    return toKeysetPage(rows, limit, await this.users.countCapped(ctx, skipPatients), (u) => u.login ?? '');
  }

  /** The live user with this email (any case), with the keys (not values) of its app tokens, as the native read shows them. */
  async getByEmailWithTokenKeys(ctx: RequestContext, email: string): Promise<{ user: UserEntity; tokens: TokenKey[] }> {
    return NotFoundError.assert(await this.users.findByEmailWithTokenKeys(ctx, email.trim()), 'User with email', email);
  }

  /** Generic identifier: id, then login, email, phone (iCure token routes). */
  async getByIdentifier(ctx: RequestContext, identifier: string): Promise<UserEntity> {
    return NotFoundError.assert(await this.users.findByIdentifier(ctx, identifier), 'User', identifier);
  }

  idsByHealthcareParty(ctx: RequestContext, hcpId: string): Promise<string[]> {
    return this.users.idsByHealthcareParty(ctx, hcpId);
  }

  idsByPatient(ctx: RequestContext, patientId: string): Promise<string[]> {
    return this.users.idsByPatient(ctx, patientId);
  }

  /** Ids matching a filter, by id (descending when the top filter says `desc`), the first MATCH_CAP. */
  match(ctx: RequestContext, filter: UserFilter): Promise<string[]> {
    return this.users.filterIds(ctx, filter, MATCH_CAP);
  }

  /** iCure filterUsersBy: ids in order, resume at `startDocumentId` (inclusive), `limit + 1` rows. */
  async filter(ctx: RequestContext, filter: UserFilter, q: { startDocumentId?: string; limit?: number }): Promise<KeysetPage<UserEntity>> {
    const limit = pageLimit(q.limit, this.config.pagination);
    const rows = await this.users.filterPage(ctx, filter, { from: q.startDocumentId, limit: limit + 1 });
    // totalSize is "not meaningful" for filters (contract 3.2): the rows counted so far.
    return toKeysetPage(rows, limit, rows.length, () => null);
  }
}
