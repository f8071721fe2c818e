import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { CoreError } from '../../common/errors';

export const PASSWORD_MAX_LENGTH = 1024;

let common: Set<string> | undefined;

/** The offline list of common passwords shipped by @zxcvbn-ts/language-common (~49,000 entries). */
export function commonPasswords(): Set<string> {
  if (!common) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: ~49,000 words most processes never need
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return common;
}

/**
 * The one password policy every profile uses: a minimum length (default 12), long passwords
 * accepted whole (never truncated), no composition rules, common passwords refused.
 */
@Injectable()
export class PasswordPolicy {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get minLength(): number {
    return this.config.password.minLength;
  }

  /** Problems with a candidate password, empty when acceptable. */
  problems(password: string): { code: 'too_short' | 'too_long' | 'common'; msg: string }[] {
    const length = [...password].length;
    if (length < this.minLength)
      return [{ code: 'too_short', msg: `Your password is too short (minimum is ${this.minLength} characters)` }];
    if (length > PASSWORD_MAX_LENGTH)
      return [{ code: 'too_long', msg: `Your password is too long (maximum is ${PASSWORD_MAX_LENGTH} characters)` }];
    if (commonPasswords().has(password.toLowerCase()))
      return [{ code: 'common', msg: 'This password is too common: choose a less predictable one' }];
    return [];
  }

  assertAcceptable(password: string, field = 'password'): void {
    const [p] = this.problems(password);
    if (!p) return;
    throw new CoreError('VALIDATION', p.msg, {
      issues: [{ loc: [field], type: p.code, msg: p.msg, ctx: { min_length: this.minLength } }],
    });
  }
}
