import { Module } from '@nestjs/common';
import { AppTokensRepository } from './app-tokens.repository';
import { AppTokensService } from './app-tokens.service';

@Module({
  providers: [AppTokensRepository, AppTokensService],
  exports: [AppTokensService],
})
export class AppTokensModule {}
