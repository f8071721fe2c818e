import { Module } from '@nestjs/common';
import { RevocationCache } from './revocation-cache';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  providers: [RevocationCache, SessionsRepository, SessionsService],
  exports: [SessionsService, RevocationCache],
})
export class SessionsModule {}
