import { Inject, Injectable, Optional } from '@nestjs/common';
import * as argon2 from 'argon2';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';

/** iCure's legacy stored form: SHA-256 hex, optionally prefixed by a Spring `{salt}`. */
export const LEGACY_SHA256 = /^(\{.+?\})?[0-9a-zA-Z]{64}$/;

/**
 * argon2id with the configured parameters (default m=19456 KiB, t=2, p=1 — never the library's own
 * heavier defaults). Verifies legacy SHA-256 hashes so they can be upgraded at the next login.
 */
@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { type: typeof argon2.argon2id };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly tx?: TransactionRunner,
  ) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.argon2.memoryKiB,
      timeCost: config.argon2.timeCost,
      parallelism: config.argon2.parallelism,
    };
  }

  hash(password: string): Promise<string> {
    this.tx?.assertNoTransaction('argon2 hashing');
    return argon2.hash(password, { ...this.options, raw: false });
  }

  async verify(stored: string | null | undefined, password: string): Promise<boolean> {
    if (!stored) return false;
    this.tx?.assertNoTransaction('argon2 verification');
    if (stored.startsWith('$argon2')) {
      try {
        return await argon2.verify(stored, password);
      } catch {
        return false;
      }
    }
    const m = LEGACY_SHA256.exec(stored);
    if (!m) return false;
    const salt = m[1] ?? '';
    const expected = Buffer.from(stored.slice(salt.length).toLowerCase());
    const actual = Buffer.from(
      createHash('sha256')
        .update(password + salt, 'utf8')
        .digest('hex'),
    );
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** True for legacy hashes and argon2 hashes made with other parameters. */
  needsRehash(stored: string): boolean {
    if (!stored.startsWith('$argon2id$')) return true;
    return argon2.needsRehash(stored, this.options);
  }
}
