import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError, ValidationError } from '../common/errors';
import { GROUP_ID, nextRev } from '../common/ids';
import { KeysetPage, pageLimit, toKeysetPage } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupEntity, PropertyValue } from './group.entity';
import { GroupsRepository } from './groups.repository';
import { mergeProperties } from './property-merge';
import { DomainEventsService } from '../audit/domain-events.service';
import type { DomainEventInput } from '../audit/domain-event';

/** Single-segment names under /rest/v2/group that a group id would shadow. */
const RESERVED_GROUP_IDS = ['apps'];

/**
 * Group rules. Visibility: a caller sees its own group and its descendants; anything else is 404.
 * Administration: an ADMINISTRATOR of a group acts on that group and every descendant, never on an
 * ancestor or a sibling. Structural changes (delete, move) need an administrator of a strict ancestor.
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
    private readonly events: DomainEventsService,
  ) {}

  findRoot(ctx: RequestContext): Promise<GroupEntity | null> {
    return this.groups.findRoot(ctx);
  }

  /** A group the caller may see: its own group or a descendant of it. Other tenants are 404. */
  async getVisible(ctx: RequestContext, id: string): Promise<GroupEntity> {
    return NotFoundError.assert(GROUP_ID.test(id) ? await this.groups.findInSubtree(ctx, ctx.groupId, id) : null, 'Group', id);
  }

  /** A visible group the caller administers (404 if invisible, 403 if not an administrator). */
  async getAdministered(ctx: RequestContext, id: string, opts: { strictDescendant?: boolean } = {}): Promise<GroupEntity> {
    const g = await this.getVisible(ctx, id);
    if (!ctx.isAdmin) throw new ForbiddenError(`You are not an administrator of group ${id} or of one of its ancestors`);
    if (opts.strictDescendant && g.id === ctx.groupId)
      throw new ForbiddenError('Only an administrator of an ancestor group may do this to a group');
    return g;
  }

  /**
   * The context for acting in `groupId` on an `inGroup/{groupId}` route: allowed for an
   * ADMINISTRATOR of that group or of one of its ancestors; otherwise 403. Unknown group: 404.
   */
  async actInGroup(ctx: RequestContext, groupId: string): Promise<RequestContext> {
    const target = NotFoundError.assert(GROUP_ID.test(groupId) ? await this.groups.findById(ctx, groupId) : null, 'Group', groupId);
    const administers = ctx.isAdmin && (target.id === ctx.groupId || target.ancestorIds.includes(ctx.groupId));
    if (!administers) throw new ForbiddenError(`You are not an administrator of group ${groupId} or of one of its ancestors`);
    return ctx.inGroup(target.id, target.ancestorIds);
  }

  findById(ctx: RequestContext, id: string): Promise<GroupEntity | null> {
    return this.groups.findById(ctx, id);
  }

  /** `root` and every live group below it, root first (for an administrator of `root`). */
  async liveSubtree(ctx: RequestContext, root: GroupEntity): Promise<GroupEntity[]> {
    const below = (await this.groups.subtree(ctx, root.path)).filter((g) => g.deletionDate === null && g.id !== root.id);
    return [root, ...below.sort((a, b) => a.path.length - b.path.length || a.id.localeCompare(b.id))];
  }

  findByIds(ctx: RequestContext, ids: string[]): Promise<GroupEntity[]> {
    return this.groups.findByIds(ctx, ids);
  }

  /** Children of the caller's group by id, one page (the contract answers a bare array). */
  async listChildren(ctx: RequestContext, q: { startDocumentId?: string; limit?: number } = {}): Promise<GroupEntity[]> {
    return this.groups.children(ctx, ctx.groupId, { startId: q.startDocumentId, limit: this.limitOf(q.limit) });
  }

  /** Keyset page (by id) of the children of a visible group, optionally matching a search string. */
  async childrenPage(
    ctx: RequestContext,
    id: string,
    q: { startDocumentId?: string; limit?: number; search?: string },
  ): Promise<KeysetPage<GroupEntity>> {
    const parent = await this.getVisible(ctx, id);
    const limit = this.limitOf(q.limit);
    const rows = await this.groups.children(ctx, parent.id, { startId: q.startDocumentId, limit: limit + 1, search: q.search });
    return toKeysetPage(rows, limit, await this.groups.countChildren(ctx, parent.id), (g) => g.id);
  }

  /** Name of the parent of a visible group (404 for the root). */
  async parentName(ctx: RequestContext, id: string): Promise<string> {
    const g = await this.getVisible(ctx, id);
    const parent = g.superGroupId ? await this.groups.findById(ctx, g.superGroupId) : null;
    return NotFoundError.assert(parent, 'Parent of group', id).name;
  }

  /** May the caller create groups at all? Administrators of the root group or of a superAdmin group. */
  async assertMayCreateGroups(ctx: RequestContext): Promise<GroupEntity> {
    const own = NotFoundError.assert(await this.groups.findById(ctx, ctx.groupId), 'Group', ctx.groupId);
    if (!ctx.isAdmin || !(own.superGroupId === null || own.superAdmin)) {
      throw new ForbiddenError('Only administrators of the root group or of a super-admin group may create groups');
    }
    return own;
  }

  /** Validates a new group id and checks it is free (409 otherwise). */
  async assertNewId(ctx: RequestContext, id: string): Promise<void> {
    if (!GROUP_ID.test(id))
      throw new ValidationError([
        { loc: ['id'], type: 'string_pattern_mismatch', msg: 'Group id must match [a-zA-Z0-9_-]{1,64}', input: id },
      ]);
    if (RESERVED_GROUP_IDS.includes(id))
      throw new ValidationError([{ loc: ['id'], type: 'value_error', msg: `Group id ${id} is reserved (it names a route)`, input: id }]);
    if (await this.groups.findAnyById(ctx, id)) throw new ConflictError('DUPLICATE', `Group ${id} already exists`, ['id']);
  }

  /** Creates the root group (bootstrap) or a child of `parent`. */
  async createGroup(
    ctx: RequestContext,
    input: { id: string; name: string; parent?: GroupEntity; superAdmin?: boolean; type?: string },
  ): Promise<GroupEntity> {
    const now = this.clock.now();
    const g = Object.assign(new GroupEntity(), {
      id: input.id,
      rev: nextRev(),
      name: input.name,
      superGroupId: input.parent?.id ?? null,
      path: `${input.parent?.path ?? '/'}${input.id}/`,
      type: input.type ?? null,
      superAdmin: input.superAdmin ?? false,
      properties: [],
      tags: [],
      defaultUserRoles: null,
      created: now,
      modified: now,
      deletionDate: null,
    });
    return this.tx.run(ctx, async (t) => {
      const created = await this.groups.insert(t, g);
      await this.events.record(t, {
        action: 'group.created',
        subjectType: 'group',
        subjectId: g.id,
        groupId: g.id,
        fields: ['name', 'superGroupId'],
      });
      return created;
    });
  }

  async rename(ctx: RequestContext, id: string, name: string): Promise<GroupEntity> {
    const g = await this.getAdministered(ctx, id);
    const clean = name.trim();
    if (!clean || clean.length > 255)
      throw new ValidationError([{ loc: ['name'], type: 'value_error', msg: 'Group name must be 1 to 255 characters', input: name }]);
    return this.write(ctx, g.id, () => ({ name: clean }), {
      action: 'group.renamed',
      subjectType: 'group',
      subjectId: g.id,
      groupId: g.id,
      fields: ['name'],
    });
  }

  /** Merges properties by `type.identifier` with the one property rule (property-merge.ts), within the configured limits. */
  async setProperties(ctx: RequestContext, id: string, props: PropertyValue[]): Promise<GroupEntity> {
    const g = await this.getAdministered(ctx, id);
    const at = ['properties'];
    mergeProperties(g.properties ?? [], props, this.config.properties, at);
    return this.write(
      ctx,
      g.id,
      (current) => ({ properties: mergeProperties(current.properties ?? [], props, this.config.properties, at) }),
      { action: 'group.updated', subjectType: 'group', subjectId: g.id, groupId: g.id, fields: ['properties'] },
    );
  }

  /** Soft delete of a strict descendant of the caller's group and its whole subtree. Returns the group and the deleted ids. */
  async softDelete(ctx: RequestContext, id: string): Promise<{ group: GroupEntity; deletedIds: string[] }> {
    const g = await this.getAdministered(ctx, id, { strictDescendant: true });
    const now = this.clock.now();
    const updated = await this.write(ctx, g.id, () => ({ deletionDate: now }));
    const deletedIds = [g.id, ...(await this.groups.softDeleteSubtree(ctx, g.path, now))];
    await this.events.record(
      ctx,
      ...deletedIds.map((d) => ({
        action: 'group.deleted' as const,
        subjectType: 'group' as const,
        subjectId: d,
        groupId: d,
        fields: ['deletionDate'],
      })),
    );
    return { group: updated, deletedIds };
  }

  /**
   * Moves a group under another parent. Both must lie in the caller's subtree, the caller must
   * administer a strict ancestor of the moved group, and the group may not become its own ancestor (422).
   */
  async move(ctx: RequestContext, id: string, newParentId: string): Promise<GroupEntity> {
    const g = await this.getAdministered(ctx, id, { strictDescendant: true });
    const parent = await this.getVisible(ctx, newParentId);
    if (parent.path.startsWith(g.path)) throw new UnprocessableError(`Group ${id} cannot become its own ancestor`);
    const oldPath = g.path;
    const newPath = `${parent.path}${g.id}/`;
    return this.tx.run(ctx, async (tctx) => {
      const updated = await this.write(tctx, g.id, () => ({ superGroupId: parent.id, path: newPath }));
      await this.groups.rewritePaths(tctx, oldPath, newPath);
      await this.events.record(tctx, {
        action: 'group.moved',
        subjectType: 'group',
        subjectId: g.id,
        groupId: g.id,
        fields: ['superGroupId'],
      });
      return updated;
    });
  }

  /**
   * Read-merge-write of a group at the revision read here; the server's own lost race is retried
   * (TransactionRunner.runMerge). Its domain event, if given, commits in the same transaction.
   */
  private write(
    ctx: RequestContext,
    id: string,
    patchOf: (current: GroupEntity) => Partial<GroupEntity>,
    event?: DomainEventInput,
  ): Promise<GroupEntity> {
    return this.tx.runMerge(ctx, async (t) => {
      const g = NotFoundError.assert(await this.groups.getForMerge(t, id), 'Group', id);
      const rev = nextRev(g.rev);
      const full = { ...patchOf(g), modified: this.clock.now() };
      await this.groups.updateWithRev(t, g.id, g.rev, rev, full);
      if (event) await this.events.record(t, event);
      return Object.assign(g, full, { rev });
    });
  }

  limitOf(limit: number | undefined): number {
    return pageLimit(limit, this.config.pagination);
  }
}
