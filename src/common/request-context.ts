import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export const ADMINISTRATOR = 'ADMINISTRATOR';

export type AuthMethod = 'jwt' | 'basic' | 'system' | 'anonymous' | 'test' | 'cross-tenant';

/**
 * Every reason the service may read rows of a group other than the caller's. Each one is a reviewed
 * path: `grep -rn "crossTenant('"` lists them all.
 */
export type CrossTenantReason =
  /** Authentication looks a login up in every group, then checks its secret in the group found. */
  | 'login'
  /** The other (group, user) pairs one login matched: /user/matches, /auth/switch, inAllGroups tokens. */
  | 'login-matches'
  /** The caller's own user in its home group while it acts in another group (inGroup routes). */
  | 'home-group'
  /** Boot: access tokens of recently revoked sessions, whatever their group. */
  | 'revocations'
  /** The first start and the self-service flows, which start from no group at all (root, registration group, trial). */
  | 'bootstrap'
  /** The password-reset and email-check flows look an email up in every group. */
  | 'account-lookup';

/** The group id of a cross-tenant context that names no group: it matches no tenant row. */
export const NO_GROUP = '*';

export interface Principal {
  userId: string;
  groupId: string;
  roles: readonly string[];
  /** Ancestors of groupId, root first (excluding groupId itself). */
  ancestorGroupIds: readonly string[];
  sessionId?: string;
  authMethod: AuthMethod;
  login?: string;
  /** The group the caller belongs to, when it acts in another one (inGroup routes). */
  homeGroupId?: string;
  /** Set only by `RequestContext.crossTenant`: why this context may read other groups' rows. */
  crossTenant?: CrossTenantReason;
}

/**
 * Immutable per-request context, built once by the auth guard and passed explicitly to every
 * service and repository method. Tests build one with `RequestContext.forTest`.
 */
export class RequestContext {
  private constructor(
    readonly requestId: string,
    private readonly principal: Principal | undefined,
    readonly ip: string | undefined,
    readonly manager: EntityManager | undefined,
  ) {}

  static anonymous(requestId: string = randomUUID(), ip?: string): RequestContext {
    return new RequestContext(requestId, undefined, ip, undefined);
  }

  static authenticated(principal: Principal, requestId: string = randomUUID(), ip?: string): RequestContext {
    // A frozen principal (e.g. one the principal cache serves on every request) cannot change: shared, not copied.
    return new RequestContext(requestId, Object.isFrozen(principal) ? principal : Object.freeze({ ...principal }), ip, undefined);
  }

  /**
   * The service itself acting inside one group with full rights, a group it has already established
   * (a verified token's claims, a consumed reset code, the first start). Finding rows of a group
   * the caller does not belong to is `crossTenant`'s job, never this one's.
   */
  static system(groupId: string, ancestorGroupIds: string[] = []): RequestContext {
    return RequestContext.authenticated({ userId: 'system', groupId, roles: [ADMINISTRATOR], ancestorGroupIds, authMethod: 'system' });
  }

  /**
   * The one way to read across tenants. Repository methods that span groups (`...AcrossGroups`)
   * refuse any other context. `target` narrows it to one group (and optionally one user and its
   * roles) found by such a read; without it the context belongs to no group.
   */
  static crossTenant(reason: CrossTenantReason, target: Partial<Principal> = {}, requestId?: string): RequestContext {
    return RequestContext.authenticated(
      { userId: 'system', groupId: NO_GROUP, roles: [], ancestorGroupIds: [], authMethod: 'cross-tenant', ...target, crossTenant: reason },
      requestId,
    );
  }

  static forTest(p: Partial<Principal> & { groupId: string }): RequestContext {
    return RequestContext.authenticated({ userId: randomUUID(), roles: [], ancestorGroupIds: [], authMethod: 'test', ...p });
  }

  get isAuthenticated(): boolean {
    return this.principal !== undefined;
  }

  /** The authenticated principal; throws if the route was public and nobody logged in. */
  get user(): Principal {
    if (!this.principal) throw new Error('RequestContext has no principal');
    return this.principal;
  }

  get groupId(): string {
    return this.user.groupId;
  }

  get userId(): string {
    return this.user.userId;
  }

  get isAdmin(): boolean {
    return this.principal?.roles.includes(ADMINISTRATOR) ?? false;
  }

  /** Why this context may read other tenants' rows, if it may. */
  get crossTenantReason(): CrossTenantReason | undefined {
    return this.principal?.crossTenant;
  }

  /** Guards the repository methods that span groups: a programming error, never a client's. */
  assertCrossTenant(): void {
    if (!this.principal?.crossTenant) throw new Error('This query spans tenants: it needs RequestContext.crossTenant(reason)');
  }

  hasRole(role: string): boolean {
    return this.principal?.roles.includes(role) ?? false;
  }

  /** Same caller, acting in another group (after an inGroup authorisation check). */
  inGroup(groupId: string, ancestorGroupIds: readonly string[]): RequestContext {
    return new RequestContext(
      this.requestId,
      Object.freeze({ ...this.user, groupId, ancestorGroupIds, homeGroupId: this.user.homeGroupId ?? this.user.groupId }),
      this.ip,
      this.manager,
    );
  }

  withManager(manager: EntityManager): RequestContext {
    return new RequestContext(this.requestId, this.principal, this.ip, manager);
  }
}
