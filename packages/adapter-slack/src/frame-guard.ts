import type { Logger } from '@hermes/adapter-core';
import type { SocketModeClient } from '@slack/socket-mode';
import { SLACK_ENVELOPE_TYPES } from './envelope.js';

/**
 * Names the SDK's emitter uses for its own life cycle. The SDK re-emits every event under its `type`, so
 * an event typed `disconnected` or `close` would otherwise tear down a healthy connection.
 */
const RESERVED_EVENT_NAMES = new Set([
  'close',
  'error',
  'connecting',
  'connected',
  'authenticated',
  'disconnecting',
  'disconnected',
  'reconnecting',
  'ws_message',
  'slack_event',
  'outgoing_message',
  'hello',
  'disconnect',
]);

export interface FrameGuardHooks {
  logger: Logger;
  /** Slack sent `{type: "disconnect"}` (refresh_requested, warning, link_disabled…). */
  onDisconnectRequested(reason: string): void;
}

type RawListener = (data: unknown, isBinary: boolean) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Puts a check in front of the SDK's frame parser. @slack/socket-mode 3.1 reads `payload.event.type` of
 * every events_api frame without checking it, inside an async listener: a frame without an event becomes
 * an unhandled rejection, which ends a Node process. Bad frames are logged as warnings here, acknowledged
 * when they carry an envelope id (so Slack stops resending them), and never reach the SDK.
 */
export function guardSocketModeFrames(client: SocketModeClient, hooks: FrameGuardHooks): void {
  const sdkListeners = client.listeners('ws_message') as RawListener[];
  client.removeAllListeners('ws_message');
  const { logger } = hooks;

  // The SDK's own ack() is this method; it is private in the typings only. Without it a bad envelope is
  // just not acknowledged, and Slack gives up on it after its retries.
  const sender = client as unknown as { send?: (id: string, body: Record<string, never>) => Promise<void> };
  const refuse = (why: string, envelopeId: unknown) => {
    logger.warn(`slack: ignored a Socket Mode frame: ${why}`);
    if (typeof envelopeId === 'string' && envelopeId !== '' && typeof sender.send === 'function') {
      sender.send.call(client, envelopeId, {}).catch(() => {});
    }
  };

  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    if (isBinary) return refuse('binary frame', undefined);
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return refuse(`not JSON (${text.length} characters)`, undefined);
    }
    if (!isRecord(frame) || typeof frame['type'] !== 'string') return refuse('no envelope type', undefined);
    const type = frame['type'];
    const envelopeId = frame['envelope_id'];
    if (!SLACK_ENVELOPE_TYPES.has(type))
      return refuse(`unknown envelope type "${type.slice(0, 40)}"`, envelopeId);
    if (type === 'events_api') {
      const payload = frame['payload'];
      const event = isRecord(payload) ? payload['event'] : undefined;
      const eventType = isRecord(event) ? event['type'] : undefined;
      if (typeof eventType !== 'string' || eventType === '')
        return refuse('events_api envelope without an event type', envelopeId);
      if (RESERVED_EVENT_NAMES.has(eventType))
        return refuse(`event type "${eventType}" is reserved`, envelopeId);
    } else if (type !== 'hello' && type !== 'disconnect' && !isRecord(frame['payload'])) {
      return refuse(`${type} envelope without a payload`, envelopeId);
    }
    for (const listener of sdkListeners) {
      Promise.resolve(listener.call(client, data, isBinary)).catch((error: unknown) => {
        logger.warn('slack: the Socket Mode SDK failed on a frame', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
    if (type === 'disconnect') {
      const reason = typeof frame['reason'] === 'string' ? frame['reason'] : 'unspecified';
      hooks.onDisconnectRequested(reason);
    }
  });
}
