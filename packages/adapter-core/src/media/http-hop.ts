import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { AdapterError } from '../errors.js';
import { bareHostname, pinnedLookup, type ResolvedAddress, sameAddress } from './address-guard.js';

export interface HopRequest {
  url: URL;
  vetted: readonly ResolvedAddress[];
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeoutMs: number;
}

/** Bounds the TCP connect, and checks that the peer is one of the vetted addresses. */
function guardSocket(socket: Socket, hop: HopRequest, fail: (error: Error) => void): void {
  const origin = hop.url.origin;
  const checkPeer = (): void => {
    const peer = socket.remoteAddress;
    // Defence in depth: pinnedLookup already makes this impossible, but a peer outside the vetted set
    // would mean the private-address check was bypassed, so never read from it.
    if (peer !== undefined && !hop.vetted.some((a) => sameAddress(a.address, peer))) {
      fail(
        new AdapterError(
          'media_refused',
          `refused media from ${origin}: connected to unvetted address ${peer}`,
        ),
      );
    }
  };
  if (!socket.connecting) {
    checkPeer();
    return;
  }
  const timer = setTimeout(() => {
    fail(new AdapterError('network', `could not connect to ${origin} within ${hop.connectTimeoutMs} ms`));
  }, hop.connectTimeoutMs);
  socket.once('connect', () => {
    clearTimeout(timer);
    checkPeer();
  });
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Sends one GET to the vetted addresses of `url` and resolves with the response head; the body is left
 * unread for the caller. No redirect handling here: every hop goes back through the address check.
 */
export function openHop(hop: HopRequest): Promise<IncomingMessage> {
  const { url } = hop;
  const hostname = bareHostname(url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: hop.headers,
        // The Host header and the TLS name stay the original host name; only the socket is pinned.
        lookup: pinnedLookup(hop.vetted),
        ...(url.protocol === 'https:' && isIP(hostname) === 0 ? { servername: hostname } : {}),
        // A fresh connection per hop: a pooled socket could have been opened for another address.
        agent: false,
        signal: hop.signal,
      },
      resolve,
    );
    const fail = (error: Error): void => {
      req.destroy(error);
    };
    req.on('error', reject);
    req.once('socket', (socket: Socket) => guardSocket(socket, hop, fail));
    req.end();
  });
}
