import { Module } from '@nestjs/common';
import { GroupsModule } from '../../../groups/groups.module';
import { WebhooksModule } from '../../../webhooks/webhooks.module';
import { WebhookController } from './webhook.controller';

/** The webhook routes of the native profile. */
@Module({ imports: [GroupsModule, WebhooksModule], controllers: [WebhookController] })
export class NativeWebhooksModule {}
