import { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';

describe('Standard Webhooks signature', () => {
  // Test vector of the Standard Webhooks reference libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const ts = 1614265330;
  const body = '{"test": 2432232314}';

  it('signs like the reference implementation', () => {
    expect(signWebhook(secret, id, ts, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies, and refuses a changed body, another secret or an old timestamp', () => {
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,bogus ${signWebhook(secret, id, ts, body)}`,
    };
    expect(verifyWebhook(secret, headers, body, ts + 10)).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `, ts)).toBe(false);
    expect(verifyWebhook(newWebhookSecret(), headers, body, ts)).toBe(false);
    expect(verifyWebhook(secret, headers, body, ts + 3600)).toBe(false);
  });

  it('makes whsec_ secrets of 32 random bytes', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });
});
