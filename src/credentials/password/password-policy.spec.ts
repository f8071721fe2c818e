import { loadConfig } from '../../config/config';
import { commonPasswords, PasswordPolicy } from './password-policy';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy(loadConfig({}));

  it('requires 12 characters by default, counting characters not bytes', () => {
    expect(policy.problems('a'.repeat(11))[0]?.code).toBe('too_short');
    expect(policy.problems('unusual pass')).toEqual([]);
    expect(policy.problems('ééééééééééé')[0]?.code).toBe('too_short');
  });

  it('accepts long passwords whole, with no composition rules, and never truncates', () => {
    const long = 'x'.repeat(63) + ' different tail that matters';
    expect(policy.problems(long)).toEqual([]);
    expect(policy.problems('y'.repeat(64))).toEqual([]);
    expect(policy.problems('z'.repeat(1024))).toEqual([]);
    expect(policy.problems('z'.repeat(1025))[0]?.code).toBe('too_long');
  });

  it('refuses passwords from the shipped common list (case-insensitively)', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(3000);
    const sample = [...commonPasswords()].find((p) => p.length >= 12)!;
    expect(policy.problems(sample)[0]?.code).toBe('common');
    expect(policy.problems(sample.toUpperCase())[0]?.code).toBe('common');
  });

  it('uses the configured minimum', () => {
    expect(new PasswordPolicy(loadConfig({ CAREGATE_PASSWORD_MIN_LENGTH: '20' })).problems('nineteen characters')[0]?.msg).toBe(
      'Your password is too short (minimum is 20 characters)',
    );
  });
});
