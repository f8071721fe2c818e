import { Module } from '@nestjs/common';
import { MailerService } from './mailer.service';
import { NotificationsService } from './notifications.service';
import { SmsService } from './sms.service';

@Module({
  providers: [MailerService, SmsService, NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
