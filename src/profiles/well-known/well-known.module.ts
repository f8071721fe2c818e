import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { WellKnownController } from './well-known.controller';

/** JWKS, discovery and key reload routes. */
@Module({ imports: [AuthModule], controllers: [WellKnownController] })
export class WellKnownModule {}
