import { Inject, Injectable, Optional } from '@nestjs/common';
import * as argon2 from 'argon2';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';
import { MetricsService } from '../../metrics/metrics.service';
import { hashFormatOf, LEGACY_SHA256_FORMAT, verifyForeignHash } from './foreign-hashes';

/** iCure's legacy stored form: SHA-256 hex, optionally prefixed by a Spring `{salt}`. */
export const LEGACY_SHA256 = LEGACY_SHA256_FORMAT;

/**
 * At most `limit` hashing jobs are in flight; the others wait their turn in arrival order. Each argon2
 * job runs on a libuv pool thread (one per CPU, see threadpool.ts), CPU-bound and memory-hard. The
 * limit is twice the pool: the pool runs as many jobs as it has threads (no time-slicing of 19 MiB
 * working sets) and the rest wait in its queue, so a thread that finishes a hash takes the next one
 * at once. Were the limit the pool size, each next job would start only when the main thread got
 * round to the finished one's callback, and the thread would idle meanwhile (README "Hot paths" has
 * the measurement). The bound keeps the queue ahead of file system and DNS work, which share the
 * pool, to one job per thread.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter (running stays the same), else it is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * argon2id with the configured parameters (default m=19456 KiB, t=2, p=1 — never the library's own
 * heavier defaults). Verifies imported and legacy hashes (bcrypt, PBKDF2-SHA256, SHA-256: see
 * foreign-hashes.ts) so they can be upgraded at the next login.
 */
@Injectable()
export class PasswordHasher {
  private readonly options: argon2.HashOptions & { type: typeof argon2.argon2id };
  /** One gate per process (the pool is the process's), sized by the first configuration. */
  private static shared?: HashingGate;
  private readonly gate: HashingGate;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly tx?: TransactionRunner,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.gate = PasswordHasher.shared ??= new HashingGate(2 * config.threadPoolSize);
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.argon2.memoryKiB,
      timeCost: config.argon2.timeCost,
      parallelism: config.argon2.parallelism,
    };
  }

  /** Hashes the NFC form, so that the same text typed with composed or decomposed characters matches. */
  hash(password: string): Promise<string> {
    this.tx?.assertNoTransaction('argon2 hashing');
    const work = () => argon2.hash(password.normalize('NFC'), { ...this.options, raw: false });
    // The gate is outside the timing: the histogram keeps measuring the hashing itself.
    return this.gate.run(() => (this.metrics ? this.metrics.timeHash('hash', 'argon2id', work) : work()));
  }

  async verify(stored: string | null | undefined, password: string): Promise<boolean> {
    return (await this.check(stored, password)).ok;
  }

  /**
   * Verifies the NFC form first, then the text as typed (hashes stored before normalisation);
   * `rehash` says the stored hash should be replaced by hash(password): legacy, imported or other
   * parameters, or made from a non-NFC form.
   */
  async check(stored: string | null | undefined, password: string): Promise<{ ok: boolean; rehash: boolean }> {
    if (!stored) return { ok: false, rehash: false };
    this.tx?.assertNoTransaction('password verification');
    const nfc = password.normalize('NFC');
    if (await this.verifyForm(stored, nfc)) return { ok: true, rehash: this.needsRehash(stored) };
    if (nfc !== password && (await this.verifyForm(stored, password))) return { ok: true, rehash: true };
    return { ok: false, rehash: false };
  }

  private async verifyForm(stored: string, password: string): Promise<boolean> {
    const format = hashFormatOf(stored);
    if (!format) return false;
    const work = async () => {
      if (format !== 'argon2') return verifyForeignHash(stored, password);
      try {
        return await argon2.verify(stored, password);
      } catch {
        return false;
      }
    };
    return this.gate.run(() => (this.metrics ? this.metrics.timeHash('verify', format, work) : work()));
  }

  /** True for imported or legacy hashes and argon2 hashes made with other parameters. */
  needsRehash(stored: string): boolean {
    if (!stored.startsWith('$argon2id$')) return true;
    return argon2.needsRehash(stored, this.options);
  }
}
