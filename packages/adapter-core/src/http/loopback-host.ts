import { privateAddressKind } from '../media/private-address.js';

/**
 * True when a bind address only accepts connections from this machine. `0.0.0.0`, `::` and every
 * routable address are not loopback: binding them exposes the server to the network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || privateAddressKind(h) === 'loopback';
}
