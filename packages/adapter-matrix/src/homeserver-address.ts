import { isIP } from 'node:net';

/**
 * True when the configured homeserver is on a loopback or private address (a self-hosted server on the
 * LAN, a test server). Media is only ever fetched from that configured host, so allowing its address
 * opens nothing a message could point at.
 */
export function homeserverIsPrivate(homeserver: string): boolean {
  let host: string;
  try {
    host = new URL(homeserver).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/i.test(host) || /^fe80:/i.test(host);
  if (isIP(host) !== 4) return false;
  const [a, b] = host.split('.').map(Number) as [number, number];
  return a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
}
