import { openAsBlob } from 'node:fs';
import { AdapterError, toAdapterError } from '@hermes/adapter-core';
import { graphErrorFromResponse } from './graph-errors.js';

const PLATFORM = 'whatsapp';

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com/v21.0 (no trailing slash needed). */
  base: string;
  accessToken: string;
  phoneNumberId: string;
  timeoutMs: number;
  /** Aborted on stop(): calls in flight end with 'aborted'. */
  signal?: AbortSignal;
}

/** The business phone number as Graph describes it. */
export interface WhatsappPhoneNumber {
  id: string;
  displayPhoneNumber: string | undefined;
  verifiedName: string | undefined;
}

/** What `GET /<media-id>` answers: a short-lived URL that needs the same bearer token. */
export interface WhatsappMediaInfo {
  url: string;
  mimeType: string | undefined;
  fileSize: number | undefined;
}

/**
 * The Graph API calls the adapter makes, over Node's fetch. Only this file knows paths and headers.
 * Nothing here retries: the send pacer retries what is retryable, and a call that timed out after it was
 * sent is `timeout_ambiguous` (never resent, it may have been delivered).
 */
export class WhatsappGraphClient {
  readonly #o: GraphClientOptions;
  readonly #base: string;

  constructor(options: GraphClientOptions) {
    this.#o = options;
    this.#base = options.base.replace(/\/+$/, '');
  }

  /** `POST /<phone-number-id>/messages` with a message object; resolves with the new message's wamid. */
  async sendMessage(body: Record<string, unknown>): Promise<string> {
    const answer = await this.#call('POST', `/${this.#o.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      ...body,
    });
    const id = (answer as { messages?: Array<{ id?: unknown }> }).messages?.[0]?.id;
    if (typeof id !== 'string' || id === '') {
      // The message may well have gone out: resending could duplicate it.
      throw new AdapterError('protocol', 'Graph API accepted the message but returned no message id', {
        platform: PLATFORM,
        retryable: false,
      });
    }
    return id;
  }

  /** Marks an inbound message (and the ones before it) read; with `typing`, shows the typing indicator. */
  async markRead(messageId: string, typing: boolean): Promise<void> {
    await this.#call('POST', `/${this.#o.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      ...(typing ? { typing_indicator: { type: 'text' } } : {}),
    });
  }

  /** `POST /<phone-number-id>/media` (multipart, streamed from disk); resolves with the media id. */
  async uploadMedia(path: string, mime: string, name: string): Promise<string> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', mime);
    form.set('file', await openAsBlob(path, { type: mime }), name);
    const answer = await this.#call('POST', `/${this.#o.phoneNumberId}/media`, form);
    const id = (answer as { id?: unknown }).id;
    if (typeof id !== 'string' || id === '') {
      throw new AdapterError('protocol', 'Graph API accepted the upload but returned no media id', {
        platform: PLATFORM,
      });
    }
    return id;
  }

  async mediaInfo(mediaId: string): Promise<WhatsappMediaInfo> {
    const answer = (await this.#call('GET', `/${encodeURIComponent(mediaId)}`)) as Record<string, unknown>;
    if (typeof answer['url'] !== 'string') {
      throw new AdapterError('protocol', `Graph API returned no download URL for media ${mediaId}`, {
        platform: PLATFORM,
      });
    }
    return {
      url: answer['url'],
      mimeType: typeof answer['mime_type'] === 'string' ? answer['mime_type'] : undefined,
      fileSize: typeof answer['file_size'] === 'number' ? answer['file_size'] : undefined,
    };
  }

  /** `GET /<phone-number-id>`: checks the token and the id, and tells the bot's own number. */
  async phoneNumber(signal?: AbortSignal): Promise<WhatsappPhoneNumber> {
    const answer = (await this.#call(
      'GET',
      `/${this.#o.phoneNumberId}?fields=display_phone_number,verified_name`,
      undefined,
      signal,
    )) as Record<string, unknown>;
    return {
      id: typeof answer['id'] === 'string' ? answer['id'] : this.#o.phoneNumberId,
      displayPhoneNumber:
        typeof answer['display_phone_number'] === 'string' ? answer['display_phone_number'] : undefined,
      verifiedName: typeof answer['verified_name'] === 'string' ? answer['verified_name'] : undefined,
    };
  }

  /** The bearer header for media downloads (the media URL needs the same token). */
  get authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.#o.accessToken}` };
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown> | FormData,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const signals = [AbortSignal.timeout(this.#o.timeoutMs)];
    if (this.#o.signal) signals.push(this.#o.signal);
    if (signal) signals.push(signal);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#o.accessToken}` };
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw fetchFailure(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // Headers arrived, the body did not: the platform may have acted.
      throw new AdapterError('timeout_ambiguous', `Graph API answer was cut off: ${String(error)}`, {
        platform: PLATFORM,
        cause: error,
      });
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      if (!response.ok)
        throw graphErrorFromResponse(response.status, undefined, response.headers.get('retry-after'));
      throw new AdapterError('protocol', `Graph API answered ${method} with a body that is not JSON`, {
        platform: PLATFORM,
        retryable: false,
      });
    }
    if (!response.ok)
      throw graphErrorFromResponse(response.status, parsed, response.headers.get('retry-after'));
    return parsed;
  }
}

/** fetch wraps socket errors in `TypeError: fetch failed` with the errno error as its cause. */
function fetchFailure(error: unknown): AdapterError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return toAdapterError(cause, PLATFORM);
}
