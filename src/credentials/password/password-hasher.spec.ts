import { loadConfig } from '../../config/config';
import { HashingGate, PasswordHasher } from './password-hasher';
import { createHash } from 'node:crypto';

describe('PasswordHasher', () => {
  it('uses argon2id with the production defaults m=19456, t=2, p=1', async () => {
    const hasher = new PasswordHasher(loadConfig({}));
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    const params = Object.fromEntries(
      hash
        .split('$')[3]
        .split(',')
        .map((kv) => kv.split('=') as [string, string]),
    );
    expect(params).toEqual({ m: '19456', t: '2', p: '1' });
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapl')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('asks for a rehash when parameters change and for legacy SHA-256 hashes', async () => {
    const weak = new PasswordHasher(loadConfig({ CAREGATE_ARGON2_MEMORY_KIB: '1024', CAREGATE_ARGON2_TIME_COST: '1' }));
    const strong = new PasswordHasher(loadConfig({}));
    const h = await weak.hash('some password here');
    expect(strong.needsRehash(h)).toBe(true);
    const legacy = createHash('sha256').update('legacy-password').digest('hex');
    expect(await strong.verify(legacy, 'legacy-password')).toBe(true);
    expect(await strong.verify(legacy, 'other')).toBe(false);
    expect(strong.needsRehash(legacy)).toBe(true);
    const salted = `{abc}${createHash('sha256').update('legacy-password{abc}').digest('hex')}`;
    expect(await strong.verify(salted, 'legacy-password')).toBe(true);
  });
});

describe('HashingGate', () => {
  it('runs at most `limit` jobs at once, the others in arrival order; a failing job frees its slot', async () => {
    const gate = new HashingGate(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const job = (i: number, fail = false) =>
      gate.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        if (fail) throw new Error(`job ${i} failed`);
        return i;
      });
    const all = [job(0, true), job(1), job(2), job(3)].map((p) => p.catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    while (started.length < 4 || releases.length) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(all)).toEqual(['job 0 failed', 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });
});
