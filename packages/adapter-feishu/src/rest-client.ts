import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { AdapterError, type Logger } from '@hermes/adapter-core';
import * as lark from '@larksuiteoapi/node-sdk';
import { FEISHU_CODES, FEISHU_PLATFORM } from './constants.js';
import { FeishuApiError, feishuErrorFromBody, feishuErrorFromThrown } from './rest-errors.js';
import { larkLoggerFor } from './sdk-logger.js';

export interface FeishuRestOptions {
  appId: string;
  appSecret: string;
  /** Base URL (already resolved from feishu | lark | URL). */
  baseUrl: string;
  timeoutMs: number;
  logger: Logger;
}

/** The Feishu answer envelope. */
interface Envelope<T> {
  code?: number;
  msg?: string;
  data?: T;
  [key: string]: unknown;
}

export interface FeishuSentMessage {
  messageId: string;
  rootId?: string;
}

export interface FeishuHistoryItem {
  message_id?: string;
  msg_type?: string;
  upper_message_id?: string;
  sender?: { id?: string; sender_type?: string };
  body?: { content?: string };
}

/** The per-client token cache: the SDK's default one is shared by every client in the process. */
type LarkClientParams = ConstructorParameters<typeof lark.Client>[0];
type LarkCache = NonNullable<LarkClientParams['cache']>;
type HttpInstance = NonNullable<LarkClientParams['httpInstance']>;

function tokenCache(): { cache: LarkCache; clear(): void } {
  const entries = new Map<string, { value: unknown; expiresAt: number | undefined }>();
  const keyOf = (key: unknown, namespace?: string) => `${namespace ?? ''}:${String(key)}`;
  return {
    cache: {
      async set(key, value: unknown, expire?: number, o?: { namespace?: string }) {
        entries.set(keyOf(key, o?.namespace), { value, expiresAt: expire });
        return true;
      },
      async get(key, o?: { namespace?: string }) {
        const entry = entries.get(keyOf(key, o?.namespace));
        if (!entry) return undefined;
        if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
          entries.delete(keyOf(key, o?.namespace));
          return undefined;
        }
        return entry.value;
      },
    },
    clear: () => entries.clear(),
  };
}

/** An axios instance of the SDK's own kind, with a timeout (the SDK's default has none). */
function httpInstanceWithTimeout(timeoutMs: number): HttpInstance {
  const instance = lark.defaultHttpInstance.create({ timeout: timeoutMs });
  instance.interceptors.response.use((resp) =>
    resp.config && (resp.config as { $return_headers?: boolean }).$return_headers
      ? ({ data: resp.data, headers: resp.headers } as unknown as typeof resp)
      : resp.data,
  );
  // The SDK's type says request() resolves with the body; the interceptor above makes that true.
  return instance as unknown as HttpInstance;
}

/**
 * Feishu's REST API through the official SDK's `lark.Client` (tenant token fetched, cached and refreshed
 * three minutes before expiry by the SDK). Every call resolves with the `data` of a `code: 0` answer or
 * throws an AdapterError; nothing here retries except one token refresh.
 */
export class FeishuRestClient {
  readonly #client: lark.Client;
  readonly #tokens: ReturnType<typeof tokenCache>;
  readonly #baseUrl: string;

  constructor(o: FeishuRestOptions) {
    this.#tokens = tokenCache();
    this.#baseUrl = o.baseUrl;
    this.#client = new lark.Client({
      appId: o.appId,
      appSecret: o.appSecret,
      domain: o.baseUrl,
      appType: lark.AppType.SelfBuild,
      cache: this.#tokens.cache,
      httpInstance: httpInstanceWithTimeout(o.timeoutMs),
      logger: larkLoggerFor(o.logger),
      loggerLevel: lark.LoggerLevel.warn,
    });
  }

  /** A tenant token for calls the SDK does not make itself (resource downloads). */
  async tenantToken(): Promise<string> {
    try {
      const token = (await this.#client.tokenManager.getTenantAccessToken()) as unknown;
      if (typeof token !== 'string' || token === '') throw new Error('no tenant_access_token in the answer');
      return token;
    } catch (error) {
      throw tokenError(error);
    }
  }

  resourceUrl(messageId: string, key: string, type: 'image' | 'file'): string {
    return `${this.#baseUrl}/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/resources/${encodeURIComponent(key)}?type=${type}`;
  }

  async call<T>(
    request: {
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: string;
      data?: unknown;
      params?: Record<string, string>;
      multipart?: boolean;
    },
    o: { idempotent?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once<T>(request);
      } catch (error) {
        const mapped = error instanceof AdapterError ? error : feishuErrorFromThrown(error);
        // A token Feishu no longer honours: drop it and fetch a new one, once.
        if (
          attempt === 1 &&
          mapped instanceof FeishuApiError &&
          (mapped.feishuCode === FEISHU_CODES.tokenInvalid || mapped.feishuCode === FEISHU_CODES.tokenExpired)
        ) {
          this.#tokens.clear();
          continue;
        }
        // With the uuid field Feishu dedupes a resend, so a send whose answer was lost may be retried.
        if (o.idempotent && mapped.code === 'timeout_ambiguous') {
          throw new AdapterError(
            'network',
            `${mapped.message} (safe to resend: the request carries a uuid)`,
            {
              platform: FEISHU_PLATFORM,
              cause: mapped,
            },
          );
        }
        throw mapped;
      }
    }
  }

  async #once<T>(request: {
    method: string;
    url: string;
    data?: unknown;
    params?: Record<string, string>;
    multipart?: boolean;
  }): Promise<T> {
    let body: Envelope<T>;
    try {
      body = (await this.#client.request({
        method: request.method,
        url: request.url,
        ...(request.data !== undefined ? { data: request.data } : {}),
        ...(request.params ? { params: request.params } : {}),
        ...(request.multipart ? { headers: { 'Content-Type': 'multipart/form-data' } } : {}),
      })) as Envelope<T>;
    } catch (error) {
      if (error instanceof Error && /tenant_access_token/.test(error.message)) throw tokenError(error);
      throw feishuErrorFromThrown(error);
    }
    if (typeof body !== 'object' || body === null)
      throw new AdapterError(
        'protocol',
        `Feishu answered ${request.method} ${request.url} with a non-JSON body`,
        {
          platform: FEISHU_PLATFORM,
        },
      );
    if (body.code !== 0) throw feishuErrorFromBody(body, 200);
    return (body.data ?? (body as unknown)) as T;
  }

  async whoAmI(): Promise<{ openId: string; name?: string }> {
    const body = await this.call<{ bot?: { open_id?: string; app_name?: string } }>({
      method: 'GET',
      url: '/open-apis/bot/v3/info',
    });
    const bot = body.bot;
    if (!bot?.open_id)
      throw new AdapterError('protocol', 'bot/v3/info did not name the bot (is the bot ability enabled?)', {
        platform: FEISHU_PLATFORM,
        fix: 'Enable the Bot ability of the app in the Feishu developer console.',
      });
    return { openId: bot.open_id, ...(bot.app_name ? { name: bot.app_name } : {}) };
  }

  async createMessage(m: {
    chatId: string;
    msgType: string;
    content: string;
    uuid: string;
  }): Promise<FeishuSentMessage> {
    const data = await this.call<{ message_id?: string; root_id?: string }>(
      {
        method: 'POST',
        url: '/open-apis/im/v1/messages',
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: m.chatId, msg_type: m.msgType, content: m.content, uuid: m.uuid },
      },
      { idempotent: true },
    );
    return sentOf(data);
  }

  async replyMessage(m: {
    parentId: string;
    msgType: string;
    content: string;
    uuid: string;
    inThread: boolean;
  }): Promise<FeishuSentMessage> {
    const data = await this.call<{ message_id?: string; root_id?: string }>(
      {
        method: 'POST',
        url: `/open-apis/im/v1/messages/${encodeURIComponent(m.parentId)}/reply`,
        data: { msg_type: m.msgType, content: m.content, uuid: m.uuid, reply_in_thread: m.inThread },
      },
      { idempotent: true },
    );
    return sentOf(data);
  }

  /** Edits a text or post message (PUT im/v1/messages/{id}). */
  async updateMessage(messageId: string, msgType: string, content: string): Promise<void> {
    await this.call(
      {
        method: 'PUT',
        url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`,
        data: { msg_type: msgType, content },
      },
      { idempotent: true },
    );
  }

  /** Replaces a card (PATCH im/v1/messages/{id}). */
  async patchCard(messageId: string, content: string): Promise<void> {
    await this.call(
      {
        method: 'PATCH',
        url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`,
        data: { content },
      },
      { idempotent: true },
    );
  }

  async addReaction(messageId: string, emojiType: string): Promise<string> {
    const data = await this.call<{ reaction_id?: string }>({
      method: 'POST',
      url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reactions`,
      data: { reaction_type: { emoji_type: emojiType } },
    });
    return data.reaction_id ?? '';
  }

  async deleteReaction(messageId: string, reactionId: string): Promise<void> {
    await this.call({
      method: 'DELETE',
      url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reactions/${encodeURIComponent(reactionId)}`,
    });
  }

  async getMessageItems(messageId: string): Promise<FeishuHistoryItem[]> {
    const data = await this.call<{ items?: FeishuHistoryItem[] }>({
      method: 'GET',
      url: `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`,
    });
    return data.items ?? [];
  }

  async uploadImage(path: string): Promise<string> {
    const data = await this.call<{ image_key?: string }>({
      method: 'POST',
      url: '/open-apis/im/v1/images',
      multipart: true,
      data: { image_type: 'message', image: createReadStream(path) },
    });
    if (!data.image_key)
      throw new AdapterError('protocol', 'image upload answered without image_key', {
        platform: FEISHU_PLATFORM,
      });
    return data.image_key;
  }

  async uploadFile(
    path: string,
    o: { fileType: string; name?: string; durationMs?: number },
  ): Promise<string> {
    const data = await this.call<{ file_key?: string }>({
      method: 'POST',
      url: '/open-apis/im/v1/files',
      multipart: true,
      data: {
        file_type: o.fileType,
        file_name: o.name ?? basename(path),
        ...(o.durationMs !== undefined ? { duration: String(Math.round(o.durationMs)) } : {}),
        file: createReadStream(path),
      },
    });
    if (!data.file_key)
      throw new AdapterError('protocol', 'file upload answered without file_key', {
        platform: FEISHU_PLATFORM,
      });
    return data.file_key;
  }
}

function sentOf(data: { message_id?: string; root_id?: string }): FeishuSentMessage {
  if (!data.message_id)
    throw new AdapterError('protocol', 'Feishu accepted the message but returned no message_id', {
      platform: FEISHU_PLATFORM,
    });
  return { messageId: data.message_id, ...(data.root_id ? { rootId: data.root_id } : {}) };
}

/** The SDK reports a refused token request as a plain Error carrying Feishu's code and msg. */
function tokenError(error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  const mapped = feishuErrorFromThrown(error);
  if (mapped.code !== 'unknown') return mapped;
  const text = error instanceof Error ? error.message : String(error);
  const code = Number(/code[^0-9]*(\d+)/i.exec(text)?.[1] ?? -1);
  return new FeishuApiError('auth_failed', code, `Feishu refused the app credentials: ${text}`, {
    fix: 'Check FEISHU_APP_ID and FEISHU_APP_SECRET (Developer Console → Credentials & Basic Info).',
  });
}
