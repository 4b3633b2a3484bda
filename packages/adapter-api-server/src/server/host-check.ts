import type { ApiServerConfig } from '../config.js';

/** Which `Host` headers this server answers. Built once from the config. */
export interface HostPolicy {
  /** A keyed wildcard bind with no allowed-hosts list: the operator chose to answer any name. */
  anyHost: boolean;
  names: ReadonlySet<string>;
}

export type HostDecision =
  | { ok: true }
  | { ok: false; status: 400 | 421; code: 'missing_host' | 'misdirected_request'; message: string };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

function isWildcard(host: string): boolean {
  const h = normalise(host);
  return h === '0.0.0.0' || /^[0:]+$/.test(h);
}

/**
 * The bound address and the loopback names are always accepted; other names only when listed. A wildcard
 * address is never a name: some browsers send requests for `0.0.0.0` to this machine.
 */
export function createHostPolicy(config: Pick<ApiServerConfig, 'host' | 'key' | 'allowedHosts'>): HostPolicy {
  const wildcard = isWildcard(config.host);
  const names = new Set([...LOOPBACK_NAMES, ...config.allowedHosts.map(normalise)]);
  if (!wildcard) names.add(normalise(config.host));
  return { anyHost: wildcard && config.key !== undefined && config.allowedHosts.length === 0, names };
}

/** The host name of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), or undefined if malformed. */
export function hostHeaderName(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0 || !/^(?::\d{1,5})?$/.test(h.slice(end + 1))) return undefined;
    return h.slice(1, end);
  }
  const match = /^([^:\s/@]+)(?::\d{1,5})?$/.exec(h);
  return match?.[1] === undefined ? undefined : normalise(match[1]);
}

/**
 * A page on another site can make a browser talk to this server by pointing its own name at 127.0.0.1
 * (DNS rebinding); the browser then sends that name as Host. Only the names this server is known by pass.
 * The port is not compared: a tunnel or proxy in front may use another one, and the name alone is what
 * a rebinding page cannot fake.
 */
export function checkHost(header: string | undefined, policy: HostPolicy): HostDecision {
  if (header === undefined || header.trim() === '') {
    return {
      ok: false,
      status: 400,
      code: 'missing_host',
      message: 'The request has no Host header; send the address you reach this server by.',
    };
  }
  if (policy.anyHost) return { ok: true };
  const name = hostHeaderName(header);
  if (name !== undefined && policy.names.has(name)) return { ok: true };
  return {
    ok: false,
    status: 421,
    code: 'misdirected_request',
    message:
      'This server does not answer to that Host name. If you reach it through that name (a proxy or tunnel), ' +
      'add the name to API_SERVER_ALLOWED_HOSTS.',
  };
}
