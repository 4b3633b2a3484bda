import type { InboundMessage } from '@hermes/adapter-core';
import { HOME_ASSISTANT_PLATFORM } from './config.js';

/** Every event becomes a message in this one chat (spec 7: chat id `ha_events`). */
export const HOME_ASSISTANT_EVENTS_CHAT = 'ha_events';

export interface HomeAssistantEntityState {
  state: string;
  attributes: Record<string, unknown>;
}

/** One `state_changed` event, checked. `oldState`/`newState` are absent when the entity appeared/went. */
export interface HomeAssistantStateChange {
  /** Unique per change (the event's context id), so a redelivered event is recognised. */
  id: string;
  entityId: string;
  oldState?: HomeAssistantEntityState;
  newState?: HomeAssistantEntityState;
  firedAt: Date;
  raw: unknown;
}

export type ParsedEvent =
  | { kind: 'change'; change: HomeAssistantStateChange }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function stateOf(v: unknown): HomeAssistantEntityState | undefined | 'bad' {
  if (v === null || v === undefined) return undefined;
  if (!isRecord(v) || typeof v['state'] !== 'string') return 'bad';
  return { state: v['state'], attributes: isRecord(v['attributes']) ? v['attributes'] : {} };
}

/** Checks the shape of a `state_changed` event; attribute-only updates are ignored (the state did not change). */
export function parseHomeAssistantEvent(event: unknown): ParsedEvent {
  if (!isRecord(event) || !isRecord(event['data']))
    return { kind: 'malformed', problem: 'event without data' };
  if (event['event_type'] !== 'state_changed')
    return { kind: 'ignored', reason: `event type ${String(event['event_type'])}` };
  const data = event['data'];
  const entityId = data['entity_id'];
  if (typeof entityId !== 'string' || !entityId.includes('.'))
    return { kind: 'malformed', problem: 'state_changed without an entity_id' };
  const oldState = stateOf(data['old_state']);
  const newState = stateOf(data['new_state']);
  if (oldState === 'bad' || newState === 'bad')
    return { kind: 'malformed', problem: `state_changed for ${entityId} with a state that is not an object` };
  if (oldState && newState && oldState.state === newState.state)
    return { kind: 'ignored', reason: 'attributes changed, state did not' };
  const context = isRecord(event['context']) ? event['context'] : {};
  const fired = typeof event['time_fired'] === 'string' ? new Date(event['time_fired']) : new Date();
  const firedAt = Number.isNaN(fired.getTime()) ? new Date() : fired;
  const id =
    typeof context['id'] === 'string' && context['id']
      ? context['id']
      : `${entityId}@${firedAt.toISOString()}`;
  const change: HomeAssistantStateChange = { id, entityId, firedAt, raw: event };
  if (oldState) change.oldState = oldState;
  if (newState) change.newState = newState;
  return { kind: 'change', change };
}

function displayValue(s: HomeAssistantEntityState): string {
  const unit = s.attributes['unit_of_measurement'];
  return typeof unit === 'string' && unit ? `${s.state} ${unit}` : s.state;
}

function nameOf(change: HomeAssistantStateChange): string {
  const friendly = (change.newState ?? change.oldState)?.attributes['friendly_name'];
  return typeof friendly === 'string' && friendly ? `${friendly} (${change.entityId})` : change.entityId;
}

/** "[Home Assistant] Kitchen (light.kitchen) changed from off to on", as the Python gateway words it. */
export function renderHomeAssistantChange(change: HomeAssistantStateChange): string {
  const who = nameOf(change);
  if (!change.oldState && change.newState)
    return `[Home Assistant] ${who} appeared with state ${displayValue(change.newState)}`;
  if (change.oldState && !change.newState) return `[Home Assistant] ${who} was removed`;
  return `[Home Assistant] ${who} changed from ${displayValue(change.oldState!)} to ${displayValue(change.newState!)}`;
}

export function homeAssistantInboundMessage(change: HomeAssistantStateChange, text: string): InboundMessage {
  return {
    id: change.id,
    chat: { platform: HOME_ASSISTANT_PLATFORM, chatId: HOME_ASSISTANT_EVENTS_CHAT, chatType: 'channel' },
    sender: { id: HOME_ASSISTANT_PLATFORM, name: 'Home Assistant' },
    text,
    // Events are addressed to the agent by the operator's filters: no mention gating applies.
    mentionsBot: true,
    attachments: [],
    receivedAt: new Date(),
    raw: change.raw,
  };
}
