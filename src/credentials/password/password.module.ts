import { Module } from '@nestjs/common';
import { TwoFactorService } from '../two-factor.service';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';

@Module({
  providers: [PasswordHasher, PasswordPolicy, TwoFactorService],
  exports: [PasswordHasher, PasswordPolicy, TwoFactorService],
})
export class PasswordModule {}
