import type { EnvLike } from '../contract.js';
import { envFlag } from '../env.js';
import { parseIPv4, parseIPv6 } from './ip-parse.js';

/** The environment switch that lets media downloads reach private and loopback hosts. */
export const MEDIA_ALLOW_PRIVATE_ENV = 'HERMES_MEDIA_ALLOW_PRIVATE';

interface V4Range {
  base: number;
  bits: number;
  label: string;
}

const v4 = (dotted: string, bits: number, label: string): V4Range => ({
  base: parseIPv4(dotted)!,
  bits,
  label,
});

// Everything a media URL has no business reaching: internal networks, the host itself, and ranges
// that are not routable on the public internet (a request there is either a mistake or a probe).
const V4_BLOCKED: readonly V4Range[] = [
  v4('255.255.255.255', 32, 'broadcast'),
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private (RFC 1918)'),
  v4('100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private (RFC 1918)'),
  v4('192.0.0.0', 24, 'IETF protocol assignments'),
  v4('192.0.2.0', 24, 'documentation'),
  // Anycast to whichever 6to4 relay is nearest: the relay, not the URL, picks where the packet goes.
  v4('192.88.99.0', 24, '6to4 relay anycast (deprecated)'),
  v4('192.168.0.0', 16, 'private (RFC 1918)'),
  v4('198.18.0.0', 15, 'benchmarking'),
  v4('198.51.100.0', 24, 'documentation'),
  v4('203.0.113.0', 24, 'documentation'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

function classifyIPv4(value: number): string | undefined {
  for (const range of V4_BLOCKED) {
    const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
    if ((value & mask) >>> 0 === range.base) return range.label;
  }
  return undefined;
}

/** Checks the leading `bits` of the address against a prefix given as groups. */
function hasPrefix(groups: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 16 < bits; i++) {
    const take = Math.min(16, bits - i * 16);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((groups[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

const embeddedV4 = (hi: number, lo: number): number => ((hi << 16) >>> 0) + lo;

function classifyIPv6(g: readonly number[]): string | undefined {
  const allZeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (allZeroUpTo(8)) return 'unspecified';
  if (allZeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) is the IPv4 address itself: judge the IPv4 part.
  if (allZeroUpTo(5) && g[5] === 0xffff) return classifyIPv4(embeddedV4(g[6]!, g[7]!));
  // IPv4-translated (::ffff:0:a.b.c.d, SIIT): a translator turns it into an IPv4 connection, and no
  // public service is addressed this way; refuse it rather than guess what the translator reaches.
  if (allZeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return 'IPv4-translated (SIIT)';
  // Deprecated IPv4-compatible form (::a.b.c.d): no legitimate use left, refuse outright.
  if (allZeroUpTo(6)) return 'IPv4-compatible (deprecated)';
  // NAT64 and 6to4 carry an IPv4 address that the translator will actually connect to.
  if (hasPrefix(g, [0x64, 0xff9b, 0, 0, 0, 0], 96)) return classifyIPv4(embeddedV4(g[6]!, g[7]!));
  if (hasPrefix(g, [0x64, 0xff9b, 1], 48)) return 'local-use NAT64';
  if (hasPrefix(g, [0x2002], 16)) return classifyIPv4(embeddedV4(g[1]!, g[2]!));
  // Teredo tunnels to an IPv4 address (obfuscated in the last groups) through a relay the URL does not
  // choose; the embedded server and client can be private.
  if (hasPrefix(g, [0x2001, 0x0000], 32)) return 'Teredo tunnel';
  if (hasPrefix(g, [0x100, 0, 0, 0], 64)) return 'discard-only';
  if (hasPrefix(g, [0x2001, 0x0db8], 32)) return 'documentation';
  if (hasPrefix(g, [0xfc00], 7)) return 'unique-local';
  if (hasPrefix(g, [0xfe80], 10)) return 'link-local';
  if (hasPrefix(g, [0xfec0], 10)) return 'site-local (deprecated)';
  if (hasPrefix(g, [0xff00], 8)) return 'multicast';
  return undefined;
}

/**
 * Names the kind of non-public range an IP address is in (`'loopback'`, `'private (RFC 1918)'`, ...),
 * or undefined for a public address. Text that is not an IP literal is reported as `'not an IP address'`,
 * so callers that treat any label as "refuse" fail closed.
 */
export function privateAddressKind(ip: string): string | undefined {
  const asV4 = parseIPv4(ip);
  if (asV4 !== undefined) return classifyIPv4(asV4);
  const asV6 = parseIPv6(ip);
  if (asV6 !== undefined) return classifyIPv6(asV6);
  return 'not an IP address';
}

/**
 * True for any address a media download must not reach by default: loopback, RFC 1918 private,
 * link-local, unique-local, multicast, unspecified, carrier-grade NAT, reserved and documentation
 * ranges, the 6to4 relay anycast range, IPv4-translated and Teredo tunnel addresses, and private ranges
 * reached through IPv4-mapped, NAT64 or 6to4 IPv6 forms.
 * Fails closed: anything that is not a valid IP literal counts as private.
 */
export function isPrivateAddress(ip: string): boolean {
  return privateAddressKind(ip) !== undefined;
}

/** `HERMES_MEDIA_ALLOW_PRIVATE=true` (or 1/yes/on) lets media downloads reach private hosts. Off by default. */
export function mediaAllowPrivateFromEnv(env: EnvLike): boolean {
  return envFlag(env, MEDIA_ALLOW_PRIVATE_ENV, false);
}
