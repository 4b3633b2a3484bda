import type { PlatformAgentTool, PlatformToolApproval } from '@hermes/adapter-core';
import type { HassEntity } from 'home-assistant-js-websocket';
import type { HomeAssistantConfig } from './config.js';
import type { HomeAssistantTransport } from './transport.js';

const TOOLSET = 'homeassistant';
/** The model reads tool output; a whole home's states can run to megabytes. */
const MAX_OUTPUT_CHARS = 12_000;

type Args = Record<string, unknown>;
type Run = (args: Args) => Promise<string>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function clip(text: string): string {
  return text.length <= MAX_OUTPUT_CHARS
    ? text
    : `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (${text.length - MAX_OUTPUT_CHARS} more characters; narrow the query)`;
}

function entityLine(e: HassEntity): string {
  const name = typeof e.attributes['friendly_name'] === 'string' ? ` "${e.attributes['friendly_name']}"` : '';
  const unit =
    typeof e.attributes['unit_of_measurement'] === 'string' ? ` ${e.attributes['unit_of_measurement']}` : '';
  return `${e.entity_id}${name}: ${e.state}${unit}`;
}

/** Runs a tool body; any failure reaches the model as a tool error with the reason, never a throw. */
function guarded(run: Run) {
  return async (args: Args, signal: AbortSignal) => {
    if (signal.aborted) return { ok: false, output: 'Stopped before it ran.' };
    try {
      return { ok: true, output: clip(await run(args)) };
    } catch (error) {
      return { ok: false, output: (error as Error).message };
    }
  };
}

function listEntities(t: HomeAssistantTransport): Run {
  return async (args) => {
    const domain = str(args['domain']);
    const search = str(args['search'])?.toLowerCase();
    const states = (await t.states()).filter(
      (e) =>
        (!domain || e.entity_id.startsWith(`${domain}.`)) &&
        (!search || entityLine(e).toLowerCase().includes(search)),
    );
    if (states.length === 0) return 'No entity matches.';
    return [`${states.length} entities:`, ...states.map(entityLine)].join('\n');
  };
}

function getState(t: HomeAssistantTransport): Run {
  return async (args) => {
    const id = str(args['entity_id']);
    const entity = (await t.states()).find((e) => e.entity_id === id);
    if (!entity) throw new Error(`No entity ${String(id)}: use ha_list_entities to find its id.`);
    return JSON.stringify(
      {
        entity_id: entity.entity_id,
        state: entity.state,
        attributes: entity.attributes,
        last_changed: entity.last_changed,
      },
      null,
      1,
    );
  };
}

function listServices(t: HomeAssistantTransport): Run {
  return async (args) => {
    const domain = str(args['domain']);
    const all = await t.services();
    const lines = Object.entries(all)
      .filter(([d]) => !domain || d === domain)
      .flatMap(([d, services]) =>
        Object.entries(services).map(([name, s]) => {
          const fields = Object.keys(s.fields ?? {});
          return `${d}.${name}${fields.length ? ` (fields: ${fields.join(', ')})` : ''}`;
        }),
      );
    return lines.length ? lines.join('\n') : `No services${domain ? ` in domain ${domain}` : ''}.`;
  };
}

function callService(t: HomeAssistantTransport): Run {
  return async (args) => {
    const domain = str(args['domain']);
    const service = str(args['service']);
    if (!domain || !service) throw new Error('domain and service are required, e.g. light and turn_on.');
    const entityId = str(args['entity_id']);
    const data = typeof args['data'] === 'object' && args['data'] !== null ? (args['data'] as Args) : {};
    await t.callService(domain, service, data, entityId ? { entity_id: entityId } : undefined);
    return `Called ${domain}.${service}${entityId ? ` on ${entityId}` : ''}.`;
  };
}

/** `lock.unlock` and friends wait for the user: a model must not open the front door on its own. */
function approvalFor(config: HomeAssistantConfig) {
  return (args: Args): PlatformToolApproval | undefined => {
    const domain = str(args['domain']);
    if (!domain || !config.dangerousDomains.includes(domain)) return undefined;
    const entityId = str(args['entity_id']);
    return {
      command: `${domain}.${String(args['service'])}${entityId ? ` ${entityId}` : ''}`,
      reason: `Home Assistant ${domain} services change physical security`,
      patternKey: `homeassistant:${domain}`,
    };
  };
}

/** The Home Assistant toolset (spec: `ha_list_entities`, `ha_get_state`, `ha_call_service`, `ha_list_services`). */
export function homeAssistantTools(
  transport: HomeAssistantTransport,
  config: HomeAssistantConfig,
): PlatformAgentTool[] {
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
  return [
    {
      name: 'ha_list_entities',
      description:
        'List Home Assistant entities with their current state, optionally only one domain or a search text.',
      parameters: object({
        domain: { type: 'string', description: 'e.g. light, switch, sensor, climate' },
        search: { type: 'string', description: 'matched against entity id and friendly name' },
      }),
      toolset: TOOLSET,
      emoji: '🏠',
      preview: (a) => str(a['domain']) ?? str(a['search']),
      execute: guarded(listEntities(transport)),
    },
    {
      name: 'ha_get_state',
      description: 'Get the state and attributes of one Home Assistant entity.',
      parameters: object({ entity_id: { type: 'string', description: 'e.g. light.kitchen' } }, ['entity_id']),
      toolset: TOOLSET,
      emoji: '🏠',
      preview: (a) => str(a['entity_id']),
      execute: guarded(getState(transport)),
    },
    {
      name: 'ha_list_services',
      description:
        'List the services Home Assistant offers (domain.service and their fields), optionally for one domain.',
      parameters: object({ domain: { type: 'string' } }),
      toolset: TOOLSET,
      emoji: '🏠',
      preview: (a) => str(a['domain']),
      execute: guarded(listServices(transport)),
    },
    {
      name: 'ha_call_service',
      description:
        'Call a Home Assistant service, e.g. domain light, service turn_on, entity_id light.kitchen, data {"brightness_pct": 50}. Locks, alarms and covers ask the user first.',
      parameters: object(
        {
          domain: { type: 'string' },
          service: { type: 'string' },
          entity_id: { type: 'string' },
          data: { type: 'object', description: 'service data', additionalProperties: true },
        },
        ['domain', 'service'],
      ),
      toolset: TOOLSET,
      emoji: '🏠',
      preview: (a) => `${String(a['domain'])}.${String(a['service'])} ${str(a['entity_id']) ?? ''}`.trim(),
      approval: approvalFor(config),
      execute: guarded(callService(transport)),
    },
  ];
}
