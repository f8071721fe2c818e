import { Module } from '@nestjs/common';
import { GroupsModule } from '../../../groups/groups.module';
import { AuditController } from './audit.controller';

/** The audit routes of the native profile (the audit module itself is global). */
@Module({ imports: [GroupsModule], controllers: [AuditController] })
export class NativeAuditModule {}
