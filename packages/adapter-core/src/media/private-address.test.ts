import { describe, expect, it } from 'vitest';
import { parseIPv6 } from './ip-parse.js';
import { isPrivateAddress, mediaAllowPrivateFromEnv, privateAddressKind } from './private-address.js';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private (RFC 1918)'],
    ['10.255.255.255', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
    ['100.127.255.255', 'carrier-grade NAT (RFC 6598)'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:192.168.0.1', 'private (RFC 1918)'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::10.0.0.1', 'private (RFC 1918)'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['2001:db8::1', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast (deprecated)'],
    ['192.88.99.255', '6to4 relay anycast (deprecated)'],
    ['::ffff:0:10.0.0.1', 'IPv4-translated (SIIT)'],
    ['::ffff:0:8.8.8.8', 'IPv4-translated (SIIT)'],
    ['::ffff:0:a00:1', 'IPv4-translated (SIIT)'],
    ['0:0:0:0:ffff:0:7f00:1', 'IPv4-translated (SIIT)'],
    ['2001::1', 'Teredo tunnel'],
    ['2001:0::5efe:a00:1', 'Teredo tunnel'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo tunnel'],
    ['[2001:0000:ffff::1]', 'Teredo tunnel'],
  ])('%s is %s', (ip, kind) => {
    expect(privateAddressKind(ip)).toBe(kind);
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '192.167.255.255',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '192.88.98.255',
    '192.88.100.0',
    '2001:4860:4860::8888',
    '2001:1::1',
    'fbff::1',
    'fe7f::1',
  ])('%s is public', (ip) => {
    expect(privateAddressKind(ip)).toBeUndefined();
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it.each(['localhost', '', '127.1', '0x7f000001', '256.0.0.1', '1.2.3', 'fe80::g', '::ffff:999.0.0.1'])(
    'fails closed on %j, which is not an IP literal',
    (text) => {
      expect(isPrivateAddress(text)).toBe(true);
      expect(privateAddressKind(text)).toBe('not an IP address');
    },
  );
});

describe('parseIPv6', () => {
  it('expands the forms a resolver or URL produces', () => {
    expect(parseIPv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('[fe80::1]')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('10.0.0.1')).toBeUndefined();
  });
});

describe('mediaAllowPrivateFromEnv', () => {
  it('is off unless HERMES_MEDIA_ALLOW_PRIVATE is a true value', () => {
    expect(mediaAllowPrivateFromEnv({})).toBe(false);
    expect(mediaAllowPrivateFromEnv({ HERMES_MEDIA_ALLOW_PRIVATE: 'false' })).toBe(false);
    expect(mediaAllowPrivateFromEnv({ HERMES_MEDIA_ALLOW_PRIVATE: 'maybe' })).toBe(false);
    expect(mediaAllowPrivateFromEnv({ HERMES_MEDIA_ALLOW_PRIVATE: 'true' })).toBe(true);
    expect(mediaAllowPrivateFromEnv({ HERMES_MEDIA_ALLOW_PRIVATE: ' TRUE ' })).toBe(true);
    expect(mediaAllowPrivateFromEnv({ HERMES_MEDIA_ALLOW_PRIVATE: '1' })).toBe(true);
  });
});
