import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** Loopback, link-local, private, shared, multicast and reserved ranges (IPv4, IPv6 and IPv4-mapped). */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class UnsafeWebhookUrlError extends Error {}

/**
 * Parses and resolves a webhook URL: http(s) only, no credentials, and (unless private targets are
 * allowed) every resolved address public. Returns the address to connect to, so the connection goes
 * where the check looked (no DNS rebinding between check and connect).
 */
export async function resolveWebhookTarget(
  raw: string,
  opts: { allowPrivate: boolean; resolver: Resolver },
): Promise<{ url: URL; address: string; family: number }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeWebhookUrlError('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeWebhookUrlError('url must use http or https');
  if (url.username || url.password) throw new UnsafeWebhookUrlError('url must not carry credentials');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await opts.resolver(host).catch(() => []);
  if (!addresses.length) throw new UnsafeWebhookUrlError(`url host ${host} does not resolve`);
  if (!opts.allowPrivate && addresses.some((a) => isPrivateAddress(a.address)))
    throw new UnsafeWebhookUrlError('url resolves to a loopback, link-local or private address');
  return { url, ...addresses[0] };
}
