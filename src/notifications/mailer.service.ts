import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import * as nodemailer from 'nodemailer';
import { ServiceUnavailableError, UnprocessableError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RenderedMessage } from './templates';

/**
 * Email over SMTP (nodemailer, SMTP_URL). An address the mail system refuses for good (nodemailer's
 * EENVELOPE, an SMTP 5xx reply) is the account's data, so a 422; any other failure is a 503 the
 * caller can retry.
 */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  private transport?: nodemailer.Transporter;
  private readonly log = new Logger('Mailer');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(to: string, message: RenderedMessage): Promise<void> {
    if (!this.config.smtpUrl)
      throw new ServiceUnavailableError('Email delivery is not configured (SMTP_URL): the message could not be sent');
    this.transport ??= nodemailer.createTransport(this.config.smtpUrl, {
      connectionTimeout: 5000,
      greetingTimeout: 5000,
      socketTimeout: 10000,
    } as never);
    try {
      await this.transport.sendMail({ from: this.config.mailFrom, to, subject: message.subject, text: message.text, html: message.html });
    } catch (e) {
      this.log.warn(`email delivery failed: ${e instanceof Error ? e.message : String(e)}`);
      const { code, responseCode } = e as { code?: string; responseCode?: number };
      if (code === 'EENVELOPE' || (responseCode !== undefined && responseCode >= 500))
        throw new UnprocessableError('The email address of this account cannot receive mail');
      throw new ServiceUnavailableError('The email could not be delivered right now; please try again');
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
