import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { AdapterError, toAdapterError } from '../errors.js';
import { MEDIA_ALLOW_PRIVATE_ENV, privateAddressKind } from './private-address.js';

/** One resolver answer. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. Injected in tests; `dns.promises.lookup` otherwise. */
export type MediaLookup = (host: string) => Promise<ResolvedAddress[]>;

/**
 * An exception to the private-address rule for one (host name, address) pair, e.g. a self-hosted
 * server on the LAN. Only consulted for addresses that would otherwise be refused.
 */
export type MediaAddressAllowRule = (candidate: {
  hostname: string;
  address: string;
  family: 4 | 6;
}) => boolean;

export interface AddressPolicy {
  allowPrivate: boolean;
  isAllowedAddress?: MediaAddressAllowRule | undefined;
  lookup?: MediaLookup | undefined;
}

const systemLookup: MediaLookup = async (host) => {
  const answers = await dnsLookup(host, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** URL hosts keep IPv6 literals in brackets; sockets and resolvers want them bare. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

async function resolveHost(hostname: string, lookup: MediaLookup): Promise<ResolvedAddress[]> {
  const family = isIP(hostname);
  if (family !== 0) return [{ address: hostname, family: family === 6 ? 6 : 4 }];
  let answers: ResolvedAddress[];
  try {
    answers = await lookup(hostname);
  } catch (error) {
    const wrapped = toAdapterError(error);
    throw new AdapterError(wrapped.code, `media host ${hostname} could not be resolved: ${wrapped.message}`, {
      cause: error,
      retryable: wrapped.retryable,
    });
  }
  if (answers.length === 0) {
    throw new AdapterError('network', `media host ${hostname} has no addresses`, { retryable: false });
  }
  return answers;
}

/**
 * Resolves the URL's host and returns its addresses when every one of them may be reached. A single
 * private answer refuses the whole host: an attacker who controls DNS can otherwise mix a public and a
 * private answer and let the connection pick the private one.
 */
export async function vetHost(url: URL, policy: AddressPolicy): Promise<ResolvedAddress[]> {
  const hostname = bareHostname(url);
  const answers = await resolveHost(hostname, policy.lookup ?? systemLookup);
  if (policy.allowPrivate) return answers;
  for (const answer of answers) {
    const kind = privateAddressKind(answer.address);
    if (kind === undefined) continue;
    if (policy.isAllowedAddress?.({ hostname, address: answer.address, family: answer.family })) continue;
    const shown = hostname === answer.address ? hostname : `${hostname} (${answer.address})`;
    throw new AdapterError(
      'media_refused',
      `refused to download media from ${shown}: ${kind} address. Private and loopback hosts are blocked ` +
        `unless ${MEDIA_ALLOW_PRIVATE_ENV}=true`,
      {
        fix: `If this host is yours and trusted (a self-hosted server on your network), set ${MEDIA_ALLOW_PRIVATE_ENV}=true.`,
      },
    );
  }
  return answers;
}

/**
 * A `lookup` for `http.request` that answers only with addresses already vetted. The socket therefore
 * connects to exactly what was checked; a second DNS answer (rebinding) is never asked for.
 */
export function pinnedLookup(vetted: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = wanted === undefined ? vetted : vetted.filter((a) => a.family === wanted);
    if (usable.length === 0) {
      const error: NodeJS.ErrnoException = new Error('no vetted address of the requested family');
      error.code = 'ENOTFOUND';
      callback(error, '', 4);
      return;
    }
    if (options.all)
      callback(
        null,
        usable.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same peer. */
export function sameAddress(a: string, b: string): boolean {
  const strip = (s: string): string => s.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
  return strip(a) === strip(b);
}
