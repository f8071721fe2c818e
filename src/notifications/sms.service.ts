import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';

/** An SMS gateway. */
export interface SmsProvider {
  send(to: string, text: string): Promise<void>;
}

/** POSTs `{"to","text"}` as JSON to SMS_HTTP_URL, with a timeout and one retry. */
export class HttpSmsProvider implements SmsProvider {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
    private readonly attempts = 2,
  ) {}

  async send(to: string, text: string): Promise<void> {
    let last: unknown;
    for (let i = 0; i < this.attempts; i++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to, text }),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (res.ok) return;
        last = new Error(`gateway answered ${res.status}`);
        if (res.status < 500 && res.status !== 429) break;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }
}

/** Development only (refused in production by configuration): writes the message to the log. */
export class LogSmsProvider implements SmsProvider {
  private readonly log = new Logger('Sms');

  send(to: string, text: string): Promise<void> {
    this.log.warn(`SMS to ${to}: ${text}`);
    return Promise.resolve();
  }
}

@Injectable()
export class SmsService {
  private readonly provider?: SmsProvider;
  private readonly log = new Logger('Sms');

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.smsProvider === 'http' && config.smsHttpUrl) this.provider = new HttpSmsProvider(config.smsHttpUrl);
    else if (config.smsProvider === 'log') this.provider = new LogSmsProvider();
  }

  async send(to: string, text: string): Promise<void> {
    if (!this.provider) throw new ServiceUnavailableError('SMS delivery is not configured (SMS_PROVIDER): the message could not be sent');
    try {
      await this.provider.send(to, text);
    } catch (e) {
      this.log.warn(`SMS delivery failed: ${e instanceof Error ? e.message : String(e)}`);
      throw new ServiceUnavailableError('The SMS could not be delivered right now; please try again');
    }
  }
}
