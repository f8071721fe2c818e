import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookSender } from './webhook-sender';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Signed webhooks: registrations per group and the delivery worker fed by the outbox. */
@Module({
  providers: [WebhooksRepository, WebhooksService, WebhookSender, WebhookDispatcher],
  exports: [WebhooksService, WebhookDispatcher, WebhookSender],
})
export class WebhooksModule {}
