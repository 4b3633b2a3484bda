import { describe, expect, it } from 'vitest';
import { checkHost, createHostPolicy, hostHeaderName } from './host-check.js';

const KEY = 'a-long-enough-key';

describe('hostHeaderName', () => {
  it('reads names, ports and bracketed IPv6, and rejects anything else', () => {
    expect(hostHeaderName('Example.COM:8642')).toBe('example.com');
    expect(hostHeaderName('example.com.')).toBe('example.com');
    expect(hostHeaderName('[::1]:80')).toBe('::1');
    expect(hostHeaderName('[::1]')).toBe('::1');
    for (const bad of ['[::1', '[::1]x', 'a:b:c', 'user@host', 'host/path', 'host:port']) {
      expect(hostHeaderName(bad), bad).toBeUndefined();
    }
  });
});

describe('checkHost', () => {
  it('on loopback accepts the loopback names and the configured host only', () => {
    const policy = createHostPolicy({ host: '127.0.0.1', key: undefined, allowedHosts: [] });
    for (const ok of ['127.0.0.1:8642', 'localhost', '[::1]:1'])
      expect(checkHost(ok, policy).ok, ok).toBe(true);
    expect(checkHost('attacker.invalid:8642', policy)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost('0.0.0.0:8642', policy)).toMatchObject({ ok: false, status: 421 });
    expect(checkHost(undefined, policy)).toMatchObject({ ok: false, status: 400, code: 'missing_host' });
    expect(checkHost('  ', policy)).toMatchObject({ ok: false, status: 400 });
  });

  it('on a wildcard bind with a key accepts any Host, unless allowed hosts are listed', () => {
    for (const host of ['0.0.0.0', '::', '[::]']) {
      const open = createHostPolicy({ host, key: KEY, allowedHosts: [] });
      expect(checkHost('anything.example', open).ok, host).toBe(true);
      const listed = createHostPolicy({ host, key: KEY, allowedHosts: ['api.example.com'] });
      expect(checkHost('api.example.com', listed).ok, host).toBe(true);
      expect(checkHost('localhost:8642', listed).ok, host).toBe(true);
      expect(checkHost('anything.example', listed).ok, host).toBe(false);
      // Browsers route 0.0.0.0 to this machine: never a name to trust.
      expect(checkHost('0.0.0.0', listed).ok, host).toBe(false);
    }
  });

  it('on a specific address accepts that address', () => {
    const policy = createHostPolicy({ host: '192.168.1.20', key: KEY, allowedHosts: [] });
    expect(checkHost('192.168.1.20:8642', policy).ok).toBe(true);
    expect(checkHost('192.168.1.21:8642', policy).ok).toBe(false);
  });
});
