import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { Principal } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RevocationCache } from '../credentials/sessions/revocation-cache';

interface Entry {
  principal: Principal;
  userKey: string;
  version: number;
  expMs: number;
}

const MAX_ENTRIES = 10000;

/**
 * Principals already authenticated in this process, so that a repeated bearer token or Basic
 * credential costs neither a signature check, an argon2 verify nor a database round trip.
 * - Bearer entries are keyed by the token and live until its `exp`.
 * - Basic entries are keyed by an HMAC of the credentials under a secret drawn at boot (the clear
 *   password is never held), live CAREGATE_BASIC_CACHE_SECONDS, and only successes are stored.
 * Every entry is dropped as soon as the user's security version moves (roles, permissions,
 * status, password, deletion: here or, through Redis, on another instance); a hit also re-checks
 * the version and the session's revocation, both in memory.
 */
@Injectable()
export class PrincipalCache {
  private readonly secret = randomBytes(32);
  private readonly bearer = new Map<string, Entry>();
  private readonly basic = new Map<string, Entry>();
  private readonly byUser = new Map<string, Set<string>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revocations: RevocationCache,
    private readonly clock: Clock,
  ) {
    revocations.onUserChanged((userKey) => this.dropUser(userKey));
  }

  basicKey(username: string, password: string): string {
    return createHmac('sha256', this.secret).update(username).update('\0').update(password).digest('base64url');
  }

  getBearer(token: string): Principal | undefined {
    return this.read(this.bearer, token);
  }

  getBasic(key: string): Principal | undefined {
    return this.read(this.basic, key);
  }

  putBearer(token: string, principal: Principal, version: number, expMs: number): void {
    this.write(this.bearer, token, principal, version, expMs);
  }

  putBasic(key: string, principal: Principal, version: number): void {
    if (this.config.basicCacheSeconds <= 0) return;
    this.write(this.basic, key, principal, version, this.clock.now() + this.config.basicCacheSeconds * 1000);
  }

  private read(map: Map<string, Entry>, key: string): Principal | undefined {
    const e = map.get(key);
    if (!e) return undefined;
    const stale =
      e.expMs <= this.clock.now() ||
      this.revocations.versionOf(e.userKey) > e.version ||
      this.revocations.isGroupEnded(e.principal.groupId) ||
      (e.principal.sessionId !== undefined && this.revocations.isRevoked(e.principal.sessionId));
    if (stale) {
      map.delete(key);
      return undefined;
    }
    return e.principal;
  }

  private write(map: Map<string, Entry>, key: string, principal: Principal, version: number, expMs: number): void {
    if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
    const userKey = RevocationCache.userKey(principal.groupId, principal.userId);
    map.set(key, { principal, userKey, version, expMs });
    // The index only speeds up dropping; reads re-check the version, so forgetting it is safe.
    if (this.byUser.size > 50000) this.byUser.clear();
    let keys = this.byUser.get(userKey);
    if (!keys) this.byUser.set(userKey, (keys = new Set()));
    if (keys.size > 1000) keys.clear();
    keys.add(key);
  }

  private dropUser(userKey: string): void {
    const keys = this.byUser.get(userKey);
    if (!keys) return;
    for (const k of keys) {
      this.bearer.delete(k);
      this.basic.delete(k);
    }
    this.byUser.delete(userKey);
  }
}
