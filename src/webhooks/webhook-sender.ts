import { Inject, Injectable, Optional } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { APP_CONFIG, AppConfig } from '../config/config';
import { resolveWebhookTarget, Resolver, systemResolver } from './ssrf-guard';

/** Injection token of the DNS resolver (tests pass a stub). */
export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * One HTTP POST per attempt: the target is resolved and checked first and the socket connects to
 * that address; redirects are never followed (a 3xx is a failed attempt); the whole attempt is
 * bounded by the timeout; the response body is discarded.
 */
@Injectable()
export class WebhookSender {
  private readonly resolver: Resolver;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(WEBHOOK_RESOLVER) resolver?: Resolver,
  ) {
    this.resolver = resolver ?? systemResolver;
  }

  check(url: string) {
    return resolveWebhookTarget(url, { allowPrivate: this.config.webhooks.allowPrivate, resolver: this.resolver });
  }

  async send(rawUrl: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    let target;
    try {
      target = await this.check(rawUrl);
    } catch (e) {
      return { ok: false, status: null, error: e instanceof Error ? e.message : 'unsafe url' };
    }
    const pinned: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all)
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      else cb(null, target.address, target.family);
    };
    const lib = target.url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      const req = lib.request(
        target.url,
        {
          method: 'POST',
          lookup: pinned,
          // A fresh connection per attempt: a pooled socket would skip the pinned, checked address.
          agent: false,
          timeout: this.config.webhooks.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Caregate-Webhooks/1',
            ...headers,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              error: status >= 300 && status < 400 ? 'redirects are not followed' : null,
            });
          });
          res.on('error', () => resolve({ ok: false, status: res.statusCode ?? null, error: 'response aborted' }));
        },
      );
      const deadline = setTimeout(() => req.destroy(new Error('timeout')), this.config.webhooks.timeoutMs);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ ok: false, status: null, error: e.message.slice(0, 200) }));
      req.on('close', () => clearTimeout(deadline));
      req.end(body);
    });
  }
}
