import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export const ADMINISTRATOR = 'ADMINISTRATOR';

export type AuthMethod = 'jwt' | 'basic' | 'system' | 'anonymous' | 'test';

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
    return new RequestContext(requestId, Object.freeze({ ...principal }), ip, undefined);
  }

  /** For bootstrap and background jobs acting inside one group with full rights. */
  static system(groupId: string, ancestorGroupIds: string[] = []): RequestContext {
    return RequestContext.authenticated({ userId: 'system', groupId, roles: [ADMINISTRATOR], ancestorGroupIds, authMethod: 'system' });
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
