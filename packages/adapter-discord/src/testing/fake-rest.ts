import type { ServerResponse } from 'node:http';
import { componentProblem } from './fake-components.js';
import { type FakeGateway, FakeIntent } from './fake-gateway.js';
import type { FakeInteractions } from './fake-interactions.js';
import {
  apiMessage,
  attachmentUrl,
  type FakeAttachment,
  type FakeMessage,
  type FakeMessageStore,
} from './fake-messages.js';
import { apiChannel, apiUser, type Json } from './fake-payloads.js';
import type { FakeRateLimiter } from './fake-rate-limit.js';
import type { FakeRecords, FakeRequest } from './fake-records.js';
import { type FakeChannel, FakeChannelType, type FakeWorld } from './fake-world.js';
import { multipartBoundary, parseMultipart } from './multipart.js';

export interface FakeRestOptions {
  token: string;
  maxUploadBytes: number;
  maxContentLength: number;
  /** Discord sends the bot's own posts back over the gateway. */
  echoBotMessages: boolean;
  /** How long a nonce is remembered for a later create with enforce_nonce. */
  nonceWindowMs: number;
}

export interface FakeRestDeps {
  world: FakeWorld;
  store: FakeMessageStore;
  gateway: FakeGateway;
  limiter: FakeRateLimiter;
  records: FakeRecords;
  interactions: FakeInteractions;
  newId: () => string;
  urls: () => { http: string; ws: string };
  options: FakeRestOptions;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

const json = (status: number, body?: unknown, headers?: Record<string, string>): Answer => ({
  status,
  ...(body !== undefined ? { body } : {}),
  ...(headers ? { headers } : {}),
});
const error = (status: number, code: number, message: string, extra: Json = {}): Answer =>
  json(status, { message, code, ...extra });

export function writeAnswer(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  headers['content-type'] ??= 'application/json';
  res.writeHead(answer.status, headers);
  res.end(text);
}

/** The channel intents a message in this channel is dispatched under. */
export function intentsFor(channel: FakeChannel): number {
  return channel.type === FakeChannelType.DM ? FakeIntent.DirectMessages : FakeIntent.GuildMessages;
}

/**
 * Discord's REST API v10 as far as a chat bot uses it, with Discord's status codes and JSON error codes
 * for the mistakes a bot can make (unknown channel, empty or too long message, oversized upload...).
 */
export class FakeRest {
  /**
   * Nonces of recent creates by author (`author\0nonce` → message), oldest first, so expired ones are
   * dropped from the front and a long run does not grow the map without end.
   */
  readonly #nonces = new Map<string, { id: string; at: number }>();

  constructor(private readonly deps: FakeRestDeps) {}

  /** Method, decoded route pattern and handler; the first match answers. */
  readonly #routes: ReadonlyArray<{
    method: string;
    pattern: RegExp;
    run(p: string[], req: FakeRequest): Answer;
  }> = [
    { method: 'GET', pattern: /^\/gateway\/bot$/, run: () => this.#gatewayBot() },
    { method: 'GET', pattern: /^\/gateway$/, run: () => json(200, { url: this.deps.urls().ws }) },
    {
      method: 'GET',
      pattern: /^\/users\/@me$/,
      run: () => json(200, apiUser(this.deps.world.users.get(this.deps.world.botId)!)),
    },
    { method: 'POST', pattern: /^\/users\/@me\/channels$/, run: (_p, req) => this.#openDm(req) },
    { method: 'GET', pattern: /^\/channels\/(\d+)$/, run: (p) => this.#getChannel(p[0]!) },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages$/,
      run: (p, req) => this.#createMessage(req, p[0]!),
    },
    { method: 'GET', pattern: /^\/channels\/(\d+)\/messages$/, run: (p) => this.#listMessages(p[0]!) },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      run: (p) => this.#getMessage(p[0]!, p[1]!),
    },
    {
      method: 'PATCH',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      run: (p, req) => this.#editMessage(req, p[0]!, p[1]!),
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)$/,
      run: (p) => this.#deleteMessage(p[0]!, p[1]!),
    },
    {
      method: 'PUT',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/,
      run: (p) => this.#react(p[0]!, p[1]!, p[2]!, true),
    },
    {
      method: 'DELETE',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/,
      run: (p) => this.#react(p[0]!, p[1]!, p[2]!, false),
    },
    {
      method: 'POST',
      pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      run: (p, req) => this.deps.interactions.callback(p[0]!, p[1]!, safeJson(req)),
    },
    { method: 'POST', pattern: /^\/channels\/(\d+)\/typing$/, run: (p) => this.#typing(p[0]!) },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/,
      run: (p, req) => this.#openThread(req, p[0]!, p[1]!),
    },
    {
      method: 'POST',
      pattern: /^\/channels\/(\d+)\/threads$/,
      run: (p, req) => this.#openThread(req, p[0]!, undefined),
    },
  ];

  /** Handles one API request (after faults and auth); `route` is the decoded path after /api/v10. */
  handle(req: FakeRequest, route: string): Answer {
    for (const r of this.#routes) {
      if (r.method !== req.method) continue;
      const match = r.pattern.exec(route);
      if (match) return r.run(match.slice(1), req);
    }
    return error(404, 0, '404: Not Found');
  }

  #gatewayBot(): Answer {
    return json(200, {
      url: this.deps.urls().ws,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
    });
  }

  #openDm(req: FakeRequest): Answer {
    const body = safeJson(req);
    const recipient = typeof body?.['recipient_id'] === 'string' ? body['recipient_id'] : undefined;
    if (!recipient || !this.deps.world.users.has(recipient)) return error(400, 50035, 'Invalid Form Body');
    return json(200, apiChannel(this.deps.world, this.deps.world.dmWith(recipient, this.deps.newId)));
  }

  #getChannel(id: string): Answer {
    const channel = this.deps.world.channels.get(id);
    return channel ? json(200, apiChannel(this.deps.world, channel)) : error(404, 10003, 'Unknown Channel');
  }

  #listMessages(channelId: string): Answer {
    if (!this.deps.world.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
    const list = this.deps.store.inChannel(channelId).slice(-50).reverse();
    return json(
      200,
      list.map((msg) => apiMessage(this.deps.world, this.deps.store, msg)),
    );
  }

  #getMessage(channelId: string, messageId: string): Answer {
    const message = this.deps.store.get(messageId);
    if (!message || message.channelId !== channelId) return error(404, 10008, 'Unknown Message');
    return json(200, apiMessage(this.deps.world, this.deps.store, message));
  }

  #createMessage(req: FakeRequest, channelId: string): Answer {
    const { world, store, limiter, options } = this.deps;
    const channel = world.channels.get(channelId);
    if (!channel) return error(404, 10003, 'Unknown Channel');
    const verdict = limiter.check(channelId);
    if (verdict.retryAfterSeconds !== undefined) {
      return rateLimited(verdict.retryAfterSeconds, false, {
        ...verdict.headers,
        'x-ratelimit-scope': verdict.scope ?? 'user',
      });
    }
    let payload: Json;
    let files: Array<{ filename: string; contentType?: string; data: Buffer }>;
    try {
      ({ payload, files } = readMessageBody(req));
    } catch (problem) {
      return error(400, 50109, `The request body contains invalid JSON. (${(problem as Error).message})`);
    }
    const content = typeof payload['content'] === 'string' ? payload['content'] : '';
    if ([...content].length > options.maxContentLength) {
      return error(400, 50035, 'Invalid Form Body', {
        errors: {
          content: {
            _errors: [
              {
                code: 'BASE_TYPE_MAX_LENGTH',
                message: `Must be ${options.maxContentLength} or fewer in length.`,
              },
            ],
          },
        },
      });
    }
    if (content.trim() === '' && files.length === 0) return error(400, 50006, 'Cannot send an empty message');
    const components = payload['components'];
    if (components !== undefined) {
      const problem = componentProblem(components);
      if (problem) return error(400, 50035, 'Invalid Form Body', { errors: { components: problem } });
    }
    if (files.some((f) => f.data.length > options.maxUploadBytes))
      return error(413, 40005, 'Request entity too large');
    const nonce =
      typeof payload['nonce'] === 'string' || typeof payload['nonce'] === 'number'
        ? String(payload['nonce'])
        : undefined;
    // Discord: with enforce_nonce, a nonce the same author used in the past few minutes returns that
    // message (200, nothing created, nothing dispatched); without it the nonce is only echoed back.
    const nonceKey = nonce === undefined ? undefined : `${world.botId}\u0000${nonce}`;
    this.#forgetOldNonces();
    if (nonceKey !== undefined && payload['enforce_nonce'] === true) {
      const seen = this.#nonces.get(nonceKey);
      const earlier = seen ? store.get(seen.id) : undefined;
      if (earlier) return json(200, apiMessage(world, store, earlier), verdict.headers);
    }
    const reference = payload['message_reference'] as Json | undefined;
    const replyTo = typeof reference?.['message_id'] === 'string' ? reference['message_id'] : undefined;
    if (replyTo && !store.get(replyTo) && reference?.['fail_if_not_exists'] !== false) {
      return error(400, 50035, 'Invalid Form Body', {
        errors: {
          message_reference: {
            _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }],
          },
        },
      });
    }
    const id = this.deps.newId();
    const base = this.deps.urls().http;
    const attachments: FakeAttachment[] = files.map((f) => {
      const attachmentId = this.deps.newId();
      return {
        id: attachmentId,
        filename: f.filename,
        bytes: f.data,
        url: attachmentUrl(base, channelId, attachmentId, f.filename),
        ...(f.contentType ? { contentType: f.contentType } : {}),
      };
    });
    const message: FakeMessage = {
      id,
      channelId,
      authorId: world.botId,
      content,
      createdAt: Date.now(),
      attachments,
      flags: 0,
      deleted: false,
      request: payload,
      ...(Array.isArray(components) ? { components } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(replyTo && store.get(replyTo) ? { replyTo } : {}),
    };
    store.add(message);
    if (nonceKey !== undefined) {
      // Re-inserted so the map stays in time order for #forgetOldNonces.
      this.#nonces.delete(nonceKey);
      this.#nonces.set(nonceKey, { id, at: Date.now() });
    }
    const api = apiMessage(world, store, message);
    if (options.echoBotMessages)
      this.deps.gateway.dispatch(
        'MESSAGE_CREATE',
        { ...api, channel_type: channel.type },
        intentsFor(channel),
      );
    return json(200, api, verdict.headers);
  }

  #forgetOldNonces(): void {
    const oldest = Date.now() - this.deps.options.nonceWindowMs;
    for (const [key, seen] of this.#nonces) {
      if (seen.at > oldest) break;
      this.#nonces.delete(key);
    }
  }

  #editMessage(req: FakeRequest, channelId: string, messageId: string): Answer {
    const { world, store } = this.deps;
    const message = store.get(messageId);
    if (!message || message.channelId !== channelId) return error(404, 10008, 'Unknown Message');
    if (message.authorId !== world.botId)
      return error(403, 50005, 'Cannot edit a message authored by another user');
    const body = safeJson(req) ?? {};
    const content = typeof body['content'] === 'string' ? body['content'] : message.content;
    if ([...content].length > this.deps.options.maxContentLength)
      return error(400, 50035, 'Invalid Form Body');
    const components = body['components'];
    if (components !== undefined) {
      const problem = componentProblem(components);
      if (problem) return error(400, 50035, 'Invalid Form Body', { errors: { components: problem } });
    }
    message.content = content;
    message.editedAt = Date.now();
    if (Array.isArray(components)) message.components = components;
    this.deps.records.edits.push({
      channelId,
      messageId,
      content,
      ...(Array.isArray(components) ? { components } : {}),
      at: message.editedAt,
    });
    const api = apiMessage(world, store, message);
    const channel = world.channels.get(channelId);
    if (channel) this.deps.gateway.dispatch('MESSAGE_UPDATE', api, intentsFor(channel));
    return json(200, api);
  }

  #deleteMessage(channelId: string, messageId: string): Answer {
    const message = this.deps.store.get(messageId);
    if (!message || message.channelId !== channelId) return error(404, 10008, 'Unknown Message');
    message.deleted = true;
    this.deps.records.deletes.push({ channelId, messageId, at: Date.now() });
    return json(204);
  }

  #react(channelId: string, messageId: string, emoji: string, add: boolean): Answer {
    const message = this.deps.store.get(messageId);
    if (!message || message.channelId !== channelId) return error(404, 10008, 'Unknown Message');
    this.deps.records.reactions.push({
      channelId,
      messageId,
      emoji,
      op: add ? 'add' : 'remove',
      at: Date.now(),
    });
    return json(204);
  }

  #typing(channelId: string): Answer {
    if (!this.deps.world.channels.has(channelId)) return error(404, 10003, 'Unknown Channel');
    this.deps.records.typing.push({ channelId, at: Date.now() });
    return json(204);
  }

  #openThread(req: FakeRequest, parentId: string, messageId: string | undefined): Answer {
    const { world, store } = this.deps;
    const parent = world.channels.get(parentId);
    if (!parent) return error(404, 10003, 'Unknown Channel');
    if (parent.type !== FakeChannelType.GuildText && parent.type !== FakeChannelType.GuildAnnouncement) {
      return error(400, 50024, 'Cannot execute action on this channel type');
    }
    const message = messageId ? store.get(messageId) : undefined;
    if (messageId && (!message || message.channelId !== parentId))
      return error(404, 10008, 'Unknown Message');
    if (message?.threadId) return error(400, 160004, 'A thread has already been created for this message');
    const body = safeJson(req) ?? {};
    const name = typeof body['name'] === 'string' ? body['name'] : '';
    if (name.length < 1 || [...name].length > 100) return error(400, 50035, 'Invalid Form Body');
    const minutes = typeof body['auto_archive_duration'] === 'number' ? body['auto_archive_duration'] : 1440;
    // On Discord a thread opened on a message shares the message's id.
    const thread = world.addThread({
      id: messageId ?? this.deps.newId(),
      parentId,
      ownerId: world.botId,
      name,
      autoArchiveMinutes: minutes,
    });
    if (message) message.threadId = thread.id;
    this.deps.records.threads.push({
      threadId: thread.id,
      parentId,
      name,
      autoArchiveMinutes: minutes,
      at: Date.now(),
      ...(messageId ? { messageId } : {}),
    });
    const api = apiChannel(world, thread);
    this.deps.gateway.dispatch('THREAD_CREATE', { ...api, newly_created: true }, FakeIntent.Guilds);
    return json(201, api);
  }
}

export function rateLimited(
  retryAfterSeconds: number,
  global: boolean,
  headers: Record<string, string> = {},
): Answer {
  return json(
    429,
    {
      message: 'You are being rate limited.',
      retry_after: retryAfterSeconds,
      global,
      code: global ? 0 : 20028,
    },
    {
      ...headers,
      'retry-after': String(retryAfterSeconds),
      ...(global ? { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' } : {}),
    },
  );
}

function safeJson(req: FakeRequest): Json | undefined {
  try {
    const value = req.json<unknown>();
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON body, or multipart with `payload_json` and `files[n]` parts. */
function readMessageBody(req: FakeRequest): {
  payload: Json;
  files: Array<{ filename: string; contentType?: string; data: Buffer }>;
} {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) return { payload: (req.body.length ? req.json<Json>() : {}) ?? {}, files: [] };
  const parts = parseMultipart(req.body, boundary);
  req.parts = parts;
  const payloadPart = parts.find((p) => p.name === 'payload_json');
  const payload = payloadPart ? (JSON.parse(payloadPart.data.toString('utf8')) as Json) : {};
  const files = parts
    .filter((p) => p.filename !== undefined)
    .map((p) => ({
      filename: p.filename!,
      data: p.data,
      ...(p.contentType ? { contentType: p.contentType } : {}),
    }));
  return { payload, files };
}
