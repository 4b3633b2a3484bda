// The testkit's raw TCP clients, addressed by the receiver's URL as the abuse tests have it.
import type { Socket } from 'node:net';
import {
  destroyRawSockets,
  openRawSocket,
  readUntilClosed,
  sendRawHttp,
  waitFor,
} from '@hermes/adapter-testkit';

const portOf = (url: string) => Number(new URL(url).port);

export const openSocket = (url: string): Promise<Socket> => openRawSocket(portOf(url));
export const destroyOpenedSockets = destroyRawSockets;
export { readUntilClosed };

/** Sends `raw` (a whole request) and returns the status code of the answer. */
export const rawRequest = async (url: string, raw: string): Promise<number> =>
  (await sendRawHttp(portOf(url), raw)).status;

export const waitUntil = (check: () => boolean | Promise<boolean>, what: string, timeoutMs?: number) =>
  waitFor(check, { what, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
