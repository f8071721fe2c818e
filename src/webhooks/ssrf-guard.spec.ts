import { isPrivateAddress, resolveWebhookTarget, Resolver } from './ssrf-guard';

/** A stubbed resolver: no traffic and no real DNS; the guard only sees the addresses given here. */
const stub =
  (table: Record<string, string[]>): Resolver =>
  (host) =>
    Promise.resolve((table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

describe('webhook SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.4.4'])('accepts public %s', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );

  const resolver = stub({
    'hooks.example': ['93.184.216.34'],
    'internal.example': ['10.0.0.5'],
    'mixed.example': ['93.184.216.34', '127.0.0.1'],
    'metadata.example': ['169.254.169.254'],
  });

  it('resolves a public name and pins its address', async () => {
    await expect(resolveWebhookTarget('https://hooks.example/x', { allowPrivate: false, resolver })).resolves.toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it.each([
    ['http://internal.example/x', 'private'],
    ['http://mixed.example/x', 'private'],
    ['http://metadata.example/latest', 'private'],
    ['http://127.0.0.1:8080/x', 'private'],
    ['http://[::1]/x', 'private'],
    ['http://unknown.example/x', 'does not resolve'],
    ['ftp://hooks.example/x', 'http or https'],
    ['https://user:pw@hooks.example/x', 'credentials'],
    ['not a url', 'absolute'],
  ])('refuses %s', async (url, why) => {
    await expect(resolveWebhookTarget(url, { allowPrivate: false, resolver })).rejects.toThrow(why);
  });

  it('allows private targets only when configured (CAREGATE_WEBHOOK_ALLOW_PRIVATE)', async () => {
    await expect(resolveWebhookTarget('http://internal.example/x', { allowPrivate: true, resolver })).resolves.toMatchObject({
      address: '10.0.0.5',
    });
  });
});
