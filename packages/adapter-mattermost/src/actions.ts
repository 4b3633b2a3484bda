import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  closeServer,
  hardenServer,
  type Logger,
  listenOn,
  type MessageAction,
  parseJsonBounded,
  readBody,
  requestPath,
  secretsEqual,
  sendJson,
  serverAddress,
} from '@hermes/adapter-core';
import { MATTERMOST_ENV } from './config.js';

/** Where Mattermost posts presses, below the configured public URL. */
export const MATTERMOST_ACTIONS_PATH = '/mattermost/actions';
const MAX_BODY_BYTES = 64 * 1024;

export interface MattermostActionsConfig {
  publicUrl: string;
  host: string;
  port: number;
  secret?: string;
}

/** A verified press, as Mattermost's integration request described it. */
export interface MattermostPress {
  /** Mattermost's trigger id: unique per press. */
  pressId: string;
  actionId: string;
  postId: string;
  channelId: string;
  userId: string;
  userName?: string;
  raw: Record<string, unknown>;
}

/** The button's context as Mattermost stores it with the post (never shown to clients). */
interface SignedContext {
  hermes_action: string;
  nonce: string;
  sig: string;
}

/**
 * Interactive message buttons. Each button is a post attachment action whose `integration` is this
 * endpoint plus a context signed with HMAC-SHA256; Mattermost keeps integrations server-side (clients never
 * see URL or context), and on a press the SERVER posts the presser and the context here. The endpoint
 * acknowledges a valid press at once (Mattermost shows an error to the user otherwise) and only then
 * hands it on. Limits: the Mattermost server must reach `publicUrl` (same host or LAN; loopback and
 * private addresses need ServiceSettings.AllowedUntrustedInternalConnections on the server).
 */
export class MattermostActionEndpoint {
  readonly #config: MattermostActionsConfig;
  readonly #key: Buffer;
  readonly #logger: Logger;
  readonly #onPress: (press: MattermostPress) => void;
  #server: Server | undefined;

  constructor(config: MattermostActionsConfig, logger: Logger, onPress: (press: MattermostPress) => void) {
    this.#config = config;
    // Without a configured secret the key lives as long as the process: older buttons then stop working.
    this.#key = config.secret ? Buffer.from(config.secret, 'utf8') : randomBytes(32);
    this.#logger = logger;
    this.#onPress = onPress;
  }

  /** The integration URL the buttons carry. */
  get url(): string {
    return `${this.#config.publicUrl.replace(/\/+$/, '')}${MATTERMOST_ACTIONS_PATH}`;
  }

  /** Where it listens, once started (the real port when 0 was asked for). */
  get address(): { host: string; port: number; url: string } | undefined {
    return serverAddress(this.#server);
  }

  async start(): Promise<void> {
    const server = hardenServer(
      createServer((req, res) => {
        this.#handle(req, res).catch((error: unknown) => {
          this.#logger.error('mattermost: button endpoint failed on a request', {
            error: error instanceof Error ? error.message : String(error),
          });
          sendJson(res, 500, { error: 'internal error' });
        });
      }),
    );
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    await listenOn(server, this.#config.host, this.#config.port, {
      platform: 'mattermost',
      hostEnv: MATTERMOST_ENV.actionsHost,
      portEnv: MATTERMOST_ENV.actionsPort,
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server, 500);
  }

  /** Post props showing these buttons, each with its own signed context. */
  props(actions: readonly MessageAction[]): Record<string, unknown> {
    return {
      attachments: [
        {
          actions: actions.map((action, index) => {
            const nonce = randomBytes(12).toString('base64url');
            const context: SignedContext = {
              hermes_action: action.id,
              nonce,
              sig: this.#sign(nonce, action.id),
            };
            return {
              // Mattermost wants plain alphanumeric action ids; the host's id travels in the context.
              id: `hermes${index}`,
              name: action.label,
              type: 'button',
              ...(action.style === 'danger'
                ? { style: 'danger' }
                : action.style === 'primary'
                  ? { style: 'primary' }
                  : {}),
              integration: { url: this.url, context },
            };
          }),
        },
      ],
    };
  }

  #sign(nonce: string, actionId: string): string {
    return createHmac('sha256', this.#key).update(`${nonce}\n${actionId}`).digest('base64url');
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (requestPath(req) !== MATTERMOST_ACTIONS_PATH) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
      return;
    }
    const read = await readBody(req, MAX_BODY_BYTES, 5_000);
    if (read.kind !== 'ok') {
      sendJson(res, read.kind === 'too_large' ? 413 : 400, { error: `body ${read.kind}` });
      return;
    }
    const parsed = parseJsonBounded(read.body.toString('utf8'), 8);
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) {
      sendJson(res, 400, { error: 'the body must be a JSON object' });
      return;
    }
    const body = parsed.value as Record<string, unknown>;
    const press = this.#verify(body);
    if (!press) {
      this.#logger.warn('mattermost: refused a button press with a missing or invalid signature');
      sendJson(res, 403, { error: 'invalid or expired button' });
      return;
    }
    // Acknowledge first: Mattermost waits for this answer before it tells the user anything.
    sendJson(res, 200, {});
    this.#onPress(press);
  }

  #verify(body: Record<string, unknown>): MattermostPress | undefined {
    const context = body['context'];
    if (typeof context !== 'object' || context === null) return undefined;
    const { hermes_action: actionId, nonce, sig } = context as Partial<Record<keyof SignedContext, unknown>>;
    if (typeof actionId !== 'string' || typeof nonce !== 'string' || typeof sig !== 'string')
      return undefined;
    if (!secretsEqual(sig, this.#sign(nonce, actionId))) return undefined;
    const postId = body['post_id'];
    const channelId = body['channel_id'];
    const userId = body['user_id'];
    if (typeof postId !== 'string' || typeof channelId !== 'string' || typeof userId !== 'string')
      return undefined;
    const trigger = body['trigger_id'];
    const press: MattermostPress = {
      pressId: typeof trigger === 'string' && trigger !== '' ? trigger : `${postId}:${userId}:${nonce}`,
      actionId,
      postId,
      channelId,
      userId,
      // The signature stays out of what is handed on (raw is logged by some hosts).
      raw: { ...body, context: { hermes_action: actionId } },
    };
    if (typeof body['user_name'] === 'string') press.userName = body['user_name'];
    return press;
  }
}
