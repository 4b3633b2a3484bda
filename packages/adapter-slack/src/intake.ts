import type { DedupeCache, InboundAction, InboundMessage, Logger } from '@hermes/adapter-core';
import { parseSlackBlockAction } from './actions.js';
import {
  describeZodError,
  type SlackSocketEvent,
  slackEventsApiPayloadSchema,
  slackMessageEventSchema,
  slackSlashCommandSchema,
} from './envelope.js';
import {
  decideSlackMessage,
  decideSlackSlashCommand,
  type SlackInboundDecision,
  type SlackInboundDeps,
} from './inbound.js';

export interface SlackIntakeStats {
  envelopes: number;
  delivered: number;
  duplicates: number;
  malformed: number;
  skipped: number;
  /** Acks that could not be written (socket gone): Slack redelivers those, and dedupe absorbs them. */
  ackFailures: number;
}

export interface SlackIntakeDeps extends SlackInboundDeps {
  dedupe: DedupeCache;
  logger: Logger;
  receive(message: InboundMessage): void;
  /** Button presses; absent when the host takes none. */
  receiveAction?(action: InboundAction): void;
  /** Called for every event handed to the host (liveness). */
  onAccepted?(message?: InboundMessage): void;
}

/** Events that are a message for the bot; others (reactions, joins, …) are acknowledged and ignored. */
const MESSAGE_EVENTS = new Set(['message', 'app_mention']);

/**
 * Handles every Socket Mode envelope: decide, dedupe, hand over, then acknowledge. The ack comes after the
 * hand-over so an envelope is never acknowledged and then lost; a crash between the two makes Slack
 * redeliver, and the dedupe window absorbs the copy. Every envelope is acknowledged, garbage included, so
 * Slack stops resending what we can never use.
 */
export function createSlackIntake(deps: SlackIntakeDeps): {
  handle(evt: SlackSocketEvent): Promise<void>;
  stats: SlackIntakeStats;
} {
  const stats: SlackIntakeStats = {
    envelopes: 0,
    delivered: 0,
    duplicates: 0,
    malformed: 0,
    skipped: 0,
    ackFailures: 0,
  };
  const { logger } = deps;

  const ack = async (evt: SlackSocketEvent) => {
    try {
      await evt.ack();
    } catch (error) {
      stats.ackFailures += 1;
      logger.debug('slack: could not acknowledge an envelope (the socket is gone); Slack will redeliver it', {
        envelopeId: evt.envelope_id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const malformed = (evt: SlackSocketEvent, what: string) => {
    stats.malformed += 1;
    logger.warn(`slack: dropped a malformed ${evt.type} envelope: ${what}`, {
      envelopeId: evt.envelope_id,
      retry: evt.retry_num,
    });
  };

  /** Keys of one event: its event id (survives redelivery) and channel+ts (shared by message and app_mention). */
  const seenBefore = (keys: string[]): boolean => {
    const seen = keys.some((k) => deps.dedupe.has(k));
    for (const k of keys) deps.dedupe.mark(k);
    return seen;
  };

  const deliver = (decision: SlackInboundDecision, evt: SlackSocketEvent) => {
    if (decision.kind === 'skip') {
      stats.skipped += 1;
      logger.debug(
        `slack: not for the bot (${decision.reason}${decision.detail ? `: ${decision.detail}` : ''})`,
        {
          envelopeId: evt.envelope_id,
        },
      );
      return;
    }
    stats.delivered += 1;
    deps.onAccepted?.(decision.message);
    deps.receive(decision.message);
  };

  const handleEventsApi = (evt: SlackSocketEvent) => {
    const payload = slackEventsApiPayloadSchema.safeParse(evt.body);
    if (!payload.success) return malformed(evt, describeZodError(payload.error));
    if (!MESSAGE_EVENTS.has(payload.data.event.type)) {
      stats.skipped += 1;
      logger.debug(`slack: ignored a ${payload.data.event.type} event`);
      return;
    }
    const event = slackMessageEventSchema.safeParse(payload.data.event);
    if (!event.success) return malformed(evt, describeZodError(event.error));
    const keys = [`ts:${event.data.channel}:${event.data.ts}`];
    if (payload.data.event_id) keys.push(`ev:${payload.data.event_id}`);
    if (seenBefore(keys)) {
      stats.duplicates += 1;
      logger.debug('slack: duplicate event ignored (redelivery, or the message + app_mention pair)', {
        retry: evt.retry_num,
        reason: evt.retry_reason,
      });
      return;
    }
    deliver(decideSlackMessage(event.data, evt.body, deps), evt);
  };

  const handleSlash = (evt: SlackSocketEvent) => {
    const command = slackSlashCommandSchema.safeParse(evt.body);
    if (!command.success) return malformed(evt, describeZodError(command.error));
    const id = command.data.trigger_id ?? evt.envelope_id ?? '';
    if (seenBefore([`slash:${id}`])) {
      stats.duplicates += 1;
      return;
    }
    deliver(decideSlackSlashCommand(command.data, evt.body, evt.envelope_id ?? id, deps), evt);
  };

  /**
   * A press is acknowledged first: Slack shows the user an error when the ack misses its 3 s deadline, and
   * the host may take longer than that. A redelivered copy (new envelope id, same trigger_id) is acked too
   * and dropped by the dedupe.
   */
  const handleInteractive = async (evt: SlackSocketEvent) => {
    if (evt.envelope_id) await ack(evt);
    const parsed = parseSlackBlockAction(evt.body, evt.envelope_id);
    if (parsed.kind === 'malformed') return malformed(evt, parsed.reason);
    if (parsed.kind === 'skip') {
      stats.skipped += 1;
      logger.debug(`slack: ignored an interactive envelope (${parsed.reason})`);
      return;
    }
    if (seenBefore([parsed.dedupeKey])) {
      stats.duplicates += 1;
      return;
    }
    if (!deps.receiveAction) {
      stats.skipped += 1;
      logger.debug('slack: a button was pressed but the host takes no presses');
      return;
    }
    stats.delivered += 1;
    deps.onAccepted?.();
    deps.receiveAction(parsed.action);
  };

  return {
    stats,
    async handle(evt) {
      stats.envelopes += 1;
      if (evt.type === 'interactive') {
        try {
          await handleInteractive(evt);
        } catch (error) {
          logger.error('slack: handling a button press failed', {
            envelopeId: evt.envelope_id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        return;
      }
      try {
        if (evt.type === 'events_api') handleEventsApi(evt);
        else if (evt.type === 'slash_commands') handleSlash(evt);
        else logger.debug(`slack: acknowledged a ${evt.type} envelope without handling it`);
      } catch (error) {
        // A host receive() that throws must not stop the ack, or Slack would redeliver forever.
        logger.error('slack: handling an envelope failed', {
          envelopeId: evt.envelope_id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if (evt.envelope_id) await ack(evt);
    },
  };
}
