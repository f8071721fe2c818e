import { Module } from '@nestjs/common';
import { VerificationCodesRepository } from './verification-codes.repository';
import { VerificationCodesService } from './verification-codes.service';

@Module({
  providers: [VerificationCodesRepository, VerificationCodesService],
  exports: [VerificationCodesService],
})
export class VerificationModule {}
