import { Injectable } from '@nestjs/common';
import { MailerService } from './mailer.service';
import { SmsService } from './sms.service';
import { MessageKind, renderMessage } from './templates';
import { UnprocessableError } from '../common/errors';
import { emailProblem } from '../common/validation/email';

/** Where a message can go; a user (or anything with these fields) is one. */
export interface Recipient {
  email: string | null;
  mobilePhone: string | null;
  language: string | null;
}

/** Delivers a message to a recipient: by SMS when it has a mobile phone, else by email. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly mailer: MailerService,
    private readonly sms: SmsService,
  ) {}

  /** Refuses, before anything is written, a message that could not reach the user at all. */
  assertReachable(user: Pick<Recipient, 'email' | 'mobilePhone'>): void {
    // The user's own data, not an outage: retrying cannot help, so it is not a 503.
    if (!user.mobilePhone && !user.email)
      throw new UnprocessableError('The user has neither a mobile phone nor an email address to deliver the message to');
    // A stored address that is not one (some profiles keep what they are sent) cannot be mailed either.
    if (!user.mobilePhone && user.email && emailProblem(user.email) !== null)
      throw new UnprocessableError('The email address of this account cannot receive mail');
  }

  async deliver(
    user: Recipient,
    kind: MessageKind,
    values: Record<string, string>,
    opts: { preferEmail?: boolean; template?: { subject?: string; body?: string } } = {},
  ): Promise<'sms' | 'email'> {
    this.assertReachable(user);
    const msg = renderMessage(kind, user.language, values, opts.template);
    if (user.mobilePhone && !(opts.preferEmail && user.email)) {
      await this.sms.send(user.mobilePhone, msg.text);
      return 'sms';
    }
    await this.mailer.send(user.email!, msg);
    return 'email';
  }
}
