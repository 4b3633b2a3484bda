import { randomUUID } from 'node:crypto';
import { type FakeServer, respondJson, startFakeServer } from '@hermes/adapter-testkit';
import type { WebSocket } from 'ws';

export interface FakeHomeAssistantEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context: { id: string; parent_id: null; user_id: null };
}

export interface FakeHomeAssistantServiceCall {
  domain: string;
  service: string;
  serviceData: Record<string, unknown>;
  target: Record<string, unknown> | undefined;
}

export interface FakeHomeAssistantNotification {
  notificationId: string;
  title?: string;
  message: string;
}

/**
 * A loopback Home Assistant: the WebSocket API (auth phase, `subscribe_events`, `get_states`,
 * `get_services`, `call_service`, `ping`) on `/api/websocket` and the REST routes the adapter uses. Light,
 * switch, lock and cover services change the entity's state and fire `state_changed`, as the real one does.
 */
export interface FakeHomeAssistant {
  /** Pass as `url` (HASS_URL). */
  readonly url: string;
  readonly token: string;
  readonly server: FakeServer;
  /** Sets an entity's state and fires `state_changed` to every subscriber. Returns the event's context id. */
  setState(entityId: string, state: string, attributes?: Record<string, unknown>): string;
  /** Sends any frame to every authenticated socket (malformed-input tests). */
  sendRaw(frame: string): void;
  entities(): FakeHomeAssistantEntity[];
  serviceCalls(): FakeHomeAssistantServiceCall[];
  /** Persistent notifications in creation order; a repeated notification_id replaces its earlier one. */
  notifications(): FakeHomeAssistantNotification[];
  /** Sockets that finished the auth phase and subscribed to state_changed. */
  subscribers(): number;
  close(): Promise<void>;
}

export interface FakeHomeAssistantOptions {
  token?: string;
  haVersion?: string;
  entities?: Record<string, { state: string; attributes?: Record<string, unknown> }>;
}

const SERVICE_STATES: Record<string, string> = {
  turn_on: 'on',
  turn_off: 'off',
  lock: 'locked',
  unlock: 'unlocked',
  open_cover: 'open',
  close_cover: 'closed',
};

const SERVICES = {
  light: { turn_on: { fields: { brightness_pct: {} } }, turn_off: { fields: {} }, toggle: { fields: {} } },
  switch: { turn_on: { fields: {} }, turn_off: { fields: {} }, toggle: { fields: {} } },
  lock: { lock: { fields: {} }, unlock: { fields: { code: {} } } },
  cover: { open_cover: { fields: {} }, close_cover: { fields: {} } },
  persistent_notification: { create: { fields: { message: {}, title: {}, notification_id: {} } } },
};

export async function startFakeHomeAssistant(
  options: FakeHomeAssistantOptions = {},
): Promise<FakeHomeAssistant> {
  const token = options.token ?? 'fake-hass-token';
  const haVersion = options.haVersion ?? '2026.11.0';
  const server = await startFakeServer({ websocketPath: '/api/websocket' });
  const entities = new Map<string, FakeHomeAssistantEntity>();
  const calls: FakeHomeAssistantServiceCall[] = [];
  const notifications = new Map<string, FakeHomeAssistantNotification>();
  const authed = new Set<WebSocket>();
  const subscriptions = new Map<WebSocket, number[]>();

  const entity = (entityId: string, state: string, attributes: Record<string, unknown> = {}) => {
    const now = new Date().toISOString();
    const e: FakeHomeAssistantEntity = {
      entity_id: entityId,
      state,
      attributes,
      last_changed: now,
      last_updated: now,
      context: { id: randomUUID().replaceAll('-', ''), parent_id: null, user_id: null },
    };
    return e;
  };
  for (const [id, e] of Object.entries(options.entities ?? {}))
    entities.set(id, entity(id, e.state, e.attributes));

  const fire = (oldState: FakeHomeAssistantEntity | undefined, newState: FakeHomeAssistantEntity) => {
    for (const [socket, ids] of subscriptions)
      for (const id of ids)
        socket.send(
          JSON.stringify({
            id,
            type: 'event',
            event: {
              event_type: 'state_changed',
              data: { entity_id: newState.entity_id, old_state: oldState ?? null, new_state: newState },
              origin: 'LOCAL',
              time_fired: newState.last_updated,
              context: newState.context,
            },
          }),
        );
  };

  const setState = (entityId: string, state: string, attributes?: Record<string, unknown>) => {
    const old = entities.get(entityId);
    const next = entity(entityId, state, attributes ?? old?.attributes ?? {});
    entities.set(entityId, next);
    fire(old, next);
    return next.context.id;
  };

  const applyService = (call: FakeHomeAssistantServiceCall): string | undefined => {
    const id = call.target?.['entity_id'] ?? call.serviceData['entity_id'];
    if (typeof id !== 'string') return undefined;
    const current = entities.get(id);
    if (!current) return `Entity ${id} not found`;
    const next =
      call.service === 'toggle' ? (current.state === 'on' ? 'off' : 'on') : SERVICE_STATES[call.service];
    if (next && next !== current.state) setState(id, next);
    return undefined;
  };

  const answer = (socket: WebSocket, msg: Record<string, unknown>) => {
    const id = msg['id'];
    const result = (value: unknown) =>
      socket.send(JSON.stringify({ id, type: 'result', success: true, result: value }));
    const error = (code: string, message: string) =>
      socket.send(JSON.stringify({ id, type: 'result', success: false, error: { code, message } }));
    switch (msg['type']) {
      case 'supported_features':
        return result(null);
      case 'ping':
        return socket.send(JSON.stringify({ id, type: 'pong' }));
      case 'subscribe_events':
        if (msg['event_type'] === 'state_changed') subscriptions.get(socket)?.push(Number(id));
        return result(null);
      case 'unsubscribe_events':
        return result(null);
      case 'get_states':
        return result([...entities.values()]);
      case 'get_services':
        return result(SERVICES);
      case 'call_service': {
        const call: FakeHomeAssistantServiceCall = {
          domain: String(msg['domain']),
          service: String(msg['service']),
          serviceData: (msg['service_data'] as Record<string, unknown>) ?? {},
          target: msg['target'] as Record<string, unknown> | undefined,
        };
        const known = (SERVICES as Record<string, Record<string, unknown>>)[call.domain]?.[call.service];
        if (!known) return error('not_found', `Service ${call.domain}.${call.service} not found.`);
        const problem = applyService(call);
        if (problem) return error('not_found', problem);
        calls.push(call);
        return result({ context: { id: randomUUID() } });
      }
      default:
        return error('unknown_command', `Unknown command ${String(msg['type'])}.`);
    }
  };

  server.onWebSocket((socket) => {
    socket.send(JSON.stringify({ type: 'auth_required', ha_version: haVersion }));
    socket.on('close', () => {
      authed.delete(socket);
      subscriptions.delete(socket);
    });
    socket.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        socket.close(1002, 'invalid JSON');
        return;
      }
      if (!authed.has(socket)) {
        if (msg['type'] === 'auth' && msg['access_token'] === token) {
          authed.add(socket);
          subscriptions.set(socket, []);
          socket.send(JSON.stringify({ type: 'auth_ok', ha_version: haVersion }));
        } else {
          socket.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access token or password' }));
          socket.close();
        }
        return;
      }
      answer(socket, msg);
    });
  });

  const authorized = (header: string | string[] | undefined) => header === `Bearer ${token}`;
  server.route('GET', '/api/', (req, res) => {
    if (!authorized(req.headers.authorization))
      return respondJson(res, { message: '401: Unauthorized' }, 401);
    respondJson(res, { message: 'API running.' });
  });
  server.route('POST', '/api/services/persistent_notification/create', (req, res) => {
    if (!authorized(req.headers.authorization))
      return respondJson(res, { message: '401: Unauthorized' }, 401);
    const body = req.json<{ message?: unknown; title?: unknown; notification_id?: unknown }>();
    if (typeof body.message !== 'string') return respondJson(res, { message: 'message is required' }, 400);
    const notificationId = typeof body.notification_id === 'string' ? body.notification_id : randomUUID();
    const n: FakeHomeAssistantNotification = { notificationId, message: body.message };
    if (typeof body.title === 'string') n.title = body.title;
    notifications.delete(notificationId);
    notifications.set(notificationId, n);
    respondJson(res, []);
  });

  return {
    url: server.url,
    token,
    server,
    setState,
    sendRaw: (frame) => {
      for (const socket of authed) socket.send(frame);
    },
    entities: () => [...entities.values()],
    serviceCalls: () => [...calls],
    notifications: () => [...notifications.values()],
    subscribers: () => [...subscriptions.values()].filter((ids) => ids.length > 0).length,
    close: () => server.close(),
  };
}
