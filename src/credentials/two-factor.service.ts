import { Injectable } from '@nestjs/common';
import { generateSecret, verify } from 'otplib';
import { Clock } from '../common/clock';
import { CoreError } from '../common/errors';

/** TOTP (RFC 6238, 30 s steps, 6 digits) for users with `use2fa`. */
@Injectable()
export class TwoFactorService {
  constructor(private readonly clock: Clock) {}

  newSecret(): string {
    return generateSecret();
  }

  /** 417 when the code is missing, 406 when it is wrong (iCure's login contract). */
  async assertCode(secret: string, code: string | undefined): Promise<void> {
    if (code === undefined || code === '') throw new CoreError('TWO_FACTOR_REQUIRED', 'A two-factor authentication code is required');
    if (!(await this.isValid(secret, code))) throw new CoreError('TWO_FACTOR_INVALID', 'Invalid two-factor authentication code');
  }

  async isValid(secret: string, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    try {
      const r = await verify({ secret, token: code, epoch: Math.floor(this.clock.now() / 1000), epochTolerance: 30 });
      return r.valid;
    } catch {
      return false;
    }
  }
}
