import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config/config';

/** iCure's legacy stored form: SHA-256 hex, optionally prefixed by a Spring `{salt}`. */
export const LEGACY_SHA256 = /^(\{.+?\})?[0-9a-zA-Z]{64}$/;

/**
 * argon2id with the configured parameters (default m=19456 KiB, t=2, p=1 — never the library's own
 * heavier defaults). Verifies legacy SHA-256 hashes so they can be upgraded at the next login.
 */
@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { type: typeof argon2.argon2id };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.argon2.memoryKiB,
      timeCost: config.argon2.timeCost,
      parallelism: config.argon2.parallelism,
    };
  }

  /** Hashes the NFC form, so that the same text typed with composed or decomposed characters matches. */
  hash(password: string): Promise<string> {
    return argon2.hash(password.normalize('NFC'), { ...this.options, raw: false });
  }

  async verify(stored: string | null | undefined, password: string): Promise<boolean> {
    return (await this.check(stored, password)).ok;
  }

  /**
   * Verifies the NFC form first, then the text as typed (hashes stored before normalisation);
   * `rehash` says the stored hash should be replaced by hash(password): legacy or other
   * parameters, or made from a non-NFC form.
   */
  async check(stored: string | null | undefined, password: string): Promise<{ ok: boolean; rehash: boolean }> {
    if (!stored) return { ok: false, rehash: false };
    const nfc = password.normalize('NFC');
    if (await this.verifyForm(stored, nfc)) return { ok: true, rehash: this.needsRehash(stored) };
    if (nfc !== password && (await this.verifyForm(stored, password))) return { ok: true, rehash: true };
    return { ok: false, rehash: false };
  }

  private async verifyForm(stored: string, password: string): Promise<boolean> {
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
