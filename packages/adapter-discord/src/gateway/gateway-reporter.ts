import type { AdapterStatus, Logger } from '@hermes/adapter-core';
import type { GatewayDispatchPayload } from 'discord.js';
import { DISCORD_FATAL_CLOSE_CODES } from '../constants.js';
import { checkDispatch } from './dispatch-guard.js';
import type { GatewayHooks } from './sharding-strategy.js';

export interface GatewayReporterDeps {
  logger: Logger;
  status(status: AdapterStatus, detail?: string): void;
  stopping(): boolean;
  /** Every MESSAGE_CREATE that passed the guard, before discord.js turns it into a Message. */
  onMessagePayload(id: string, payload: unknown): void;
  /** HELLO's heartbeat_interval of a new gateway connection. */
  onHello(intervalMs: number): void;
  /** The gateway acknowledged a heartbeat (op 11). */
  onHeartbeatAck(): void;
  /** A close code after which reconnecting cannot help. */
  onFatal(code: number, reason: string, fix: string): void;
}

/**
 * Turns what the shards report into ctx.status changes and log lines: every reconnect attempt is
 * logged with its delay, every drop says its close code, malformed input is logged as an error and
 * dropped. Nothing here throws.
 */
export function createGatewayReporter(deps: GatewayReporterDeps): GatewayHooks {
  const { logger } = deps;
  return {
    onAttempt({ attempt, delayMs, shardId }) {
      if (deps.stopping()) return;
      logger.warn('discord gateway reconnect attempt', { attempt, delayMs, shardId });
      deps.status('reconnecting', `reconnect attempt ${attempt} in ${delayMs} ms`);
    },
    onClosed({ code, shardId }) {
      if (deps.stopping()) return;
      const fatal = DISCORD_FATAL_CLOSE_CODES.get(code);
      if (fatal) {
        logger.error('discord gateway refused the bot', {
          code,
          reason: fatal.reason,
          fix: fatal.fix,
          shardId,
        });
        deps.onFatal(code, fatal.reason, fatal.fix);
        return;
      }
      logger.warn('discord gateway connection closed; resuming', { code, shardId });
      deps.status('reconnecting', `gateway closed (code ${code})`);
    },
    onReady({ shardId }) {
      logger.info('discord gateway session ready', { shardId });
      deps.status('online');
    },
    onResumed({ shardId }) {
      logger.info('discord gateway session resumed; missed events replayed', { shardId });
      deps.status('online');
    },
    onCloseTimeout({ timeoutMs, shardId }) {
      logger.warn('discord gateway socket did not finish closing; cut it', { timeoutMs, shardId });
    },
    onGarbageFrame({ bytes, binary, sample, shardId }) {
      logger.warn('discord gateway sent a frame that is not a gateway payload; ignored', {
        bytes,
        binary,
        sample,
        shardId,
      });
    },
    acceptDispatch(payload: GatewayDispatchPayload) {
      const check = checkDispatch(payload as { t?: unknown; d?: unknown });
      if (!check.ok) {
        logger.error('discord gateway dispatch dropped', { problem: check.problem, seq: payload.s });
        return false;
      }
      if (payload.t === 'MESSAGE_CREATE') deps.onMessagePayload(payload.d.id, payload.d);
      return true;
    },
    onHandlerError({ event, error, shardId }) {
      logger.error('discord.js failed on a gateway event; the connection goes on', {
        event,
        error: error instanceof Error ? error.message : String(error),
        shardId,
      });
    },
    onHello({ intervalMs }) {
      deps.onHello(intervalMs);
    },
    onHeartbeatAck() {
      deps.onHeartbeatAck();
    },
    onDebug({ message, shardId }) {
      logger.debug('discord gateway', { message, shardId });
    },
  };
}
