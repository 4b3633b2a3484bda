import { openAsBlob } from 'node:fs';
import { AdapterError, isAdapterError } from '@hermes/adapter-core';
import type { DingtalkAccessToken } from './access-token.js';
import { DINGTALK_PLATFORM } from './constants.js';
import { dingtalkErrcodeError, dingtalkRequest } from './http.js';

export interface DingtalkRobotApiOptions {
  apiBase: string;
  /** Base of the older oapi endpoints (media upload). */
  oapiBase: string;
  token: DingtalkAccessToken;
  timeoutMs: number;
}

/** A markdown message as the robot APIs take it. */
export interface DingtalkMarkdown {
  title: string;
  text: string;
}

/** A robot message template and its parameters (`sampleMarkdown`, `sampleImageMsg`, `sampleFile`). */
export interface DingtalkRobotMessage {
  msgKey: string;
  msgParam: Record<string, string>;
}

/** The markdown message as a robot template. */
export function dingtalkMarkdownMessage(markdown: DingtalkMarkdown): DingtalkRobotMessage {
  return { msgKey: 'sampleMarkdown', msgParam: { title: markdown.title, text: markdown.text } };
}

interface UploadAnswer {
  errcode?: unknown;
  errmsg?: unknown;
  media_id?: unknown;
}

interface BatchSendAnswer {
  processQueryKey?: unknown;
  invalidStaffIdList?: unknown;
  flowControlledStaffIdList?: unknown;
}

interface GroupSendAnswer {
  processQueryKey?: unknown;
}

interface DownloadAnswer {
  downloadUrl?: unknown;
}

function listed(value: unknown, id: string): boolean {
  return Array.isArray(value) && value.includes(id);
}

/**
 * The robot OpenAPI on `apiBase`: session-webhook replies, proactive sends to users and groups, file
 * download URLs. Every call that needs the app token retries once with a fresh token when DingTalk says
 * the token is no longer valid (nothing was sent then).
 */
export class DingtalkRobotApi {
  readonly #o: DingtalkRobotApiOptions;

  constructor(options: DingtalkRobotApiOptions) {
    this.#o = options;
  }

  /** Replies through the session webhook of an inbound message (no token: the URL is the credential). */
  async postSessionWebhook(url: string, markdown: DingtalkMarkdown, signal?: AbortSignal): Promise<void> {
    const answer = await dingtalkRequest<unknown>({
      url,
      body: { msgtype: 'markdown', markdown },
      timeoutMs: this.#o.timeoutMs,
      label: 'session webhook reply',
      ...(signal ? { signal } : {}),
    });
    const refused = dingtalkErrcodeError(answer, 'session webhook reply');
    if (refused) throw refused;
  }

  /** `POST /v1.0/robot/oToMessages/batchSend` to one user: the proactive DM. Resolves with the processQueryKey. */
  async sendToUser(robotCode: string, staffId: string, message: DingtalkRobotMessage): Promise<string> {
    const answer = await this.#withToken<BatchSendAnswer>('robot batchSend', (token) => ({
      url: `${this.#o.apiBase}/v1.0/robot/oToMessages/batchSend`,
      headers: { 'x-acs-dingtalk-access-token': token },
      body: {
        robotCode,
        userIds: [staffId],
        msgKey: message.msgKey,
        msgParam: JSON.stringify(message.msgParam),
      },
    }));
    if (listed(answer.flowControlledStaffIdList, staffId)) {
      // Flow control: DingTalk dropped this one and says so; a later retry is safe.
      throw new AdapterError('rate_limited', `DingTalk throttled the proactive message to ${staffId}`, {
        platform: DINGTALK_PLATFORM,
        retryAfterMs: 3_000,
      });
    }
    if (listed(answer.invalidStaffIdList, staffId)) {
      throw new AdapterError('not_found', `DingTalk does not know the staff id ${staffId}`, {
        platform: DINGTALK_PLATFORM,
        fix: "A DM chat id is the user's staff id (senderStaffId); check the target or the home channel.",
      });
    }
    return typeof answer.processQueryKey === 'string' ? answer.processQueryKey : `batch-${Date.now()}`;
  }

  /** `POST /v1.0/robot/groupMessages/send`: the proactive group message. Resolves with the processQueryKey. */
  async sendToGroup(
    robotCode: string,
    openConversationId: string,
    message: DingtalkRobotMessage,
  ): Promise<string> {
    const answer = await this.#withToken<GroupSendAnswer>('robot groupMessages/send', (token) => ({
      url: `${this.#o.apiBase}/v1.0/robot/groupMessages/send`,
      headers: { 'x-acs-dingtalk-access-token': token },
      body: {
        robotCode,
        openConversationId,
        msgKey: message.msgKey,
        msgParam: JSON.stringify(message.msgParam),
      },
    }));
    return typeof answer.processQueryKey === 'string' ? answer.processQueryKey : `group-${Date.now()}`;
  }

  /** `POST /v1.0/robot/messageFiles/download`: a short-lived URL for an inbound file's downloadCode. */
  async downloadUrl(robotCode: string, downloadCode: string, signal?: AbortSignal): Promise<string> {
    const answer = await this.#withToken<DownloadAnswer>(
      'robot messageFiles/download',
      (token) => ({
        url: `${this.#o.apiBase}/v1.0/robot/messageFiles/download`,
        headers: { 'x-acs-dingtalk-access-token': token },
        body: { robotCode, downloadCode },
      }),
      signal,
    );
    if (typeof answer.downloadUrl !== 'string' || answer.downloadUrl === '') {
      throw new AdapterError('protocol', 'DingTalk messageFiles/download answered without a downloadUrl', {
        platform: DINGTALK_PLATFORM,
      });
    }
    return answer.downloadUrl;
  }

  /**
   * `POST {oapiBase}/media/upload?type=`: a local file becomes a media id the robot templates accept. The
   * upload API lives on oapi.dingtalk.com (the API base itself when DINGTALK_API_BASE points elsewhere).
   */
  async uploadMedia(type: 'image' | 'file' | 'voice', path: string, name: string): Promise<string> {
    const file = await openAsBlob(path);
    for (let attempt = 1; ; attempt++) {
      const token = await this.#o.token.get();
      const form = new FormData();
      form.append('media', file, name);
      const answer = await dingtalkRequest<UploadAnswer>({
        url: `${this.#o.oapiBase}/media/upload?access_token=${encodeURIComponent(token)}&type=${type}`,
        form,
        timeoutMs: this.#o.timeoutMs * 4,
        label: 'media upload',
      });
      // oapi answers a stale token with errcode 40014/42001 in a 200.
      if (attempt === 1 && (answer.errcode === 40014 || answer.errcode === 42001)) {
        this.#o.token.invalidate(token);
        continue;
      }
      const refused = dingtalkErrcodeError(answer, 'media upload');
      if (refused) throw refused;
      if (typeof answer.media_id !== 'string' || answer.media_id === '') {
        throw new AdapterError('protocol', 'DingTalk media upload answered without a media_id', {
          platform: DINGTALK_PLATFORM,
        });
      }
      return answer.media_id;
    }
  }

  /** Any other token-authenticated JSON call (cards, emotions). */
  call<T>(
    label: string,
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#withToken<T>(
      label,
      (token) => ({
        method,
        url: `${this.#o.apiBase}${path}`,
        headers: { 'x-acs-dingtalk-access-token': token },
        body,
      }),
      signal,
    );
  }

  async #withToken<T>(
    label: string,
    build: (token: string) => {
      url: string;
      headers: Record<string, string>;
      body: unknown;
      method?: 'POST' | 'PUT';
    },
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.#o.token.get(signal);
      try {
        return await dingtalkRequest<T>({
          ...build(token),
          timeoutMs: this.#o.timeoutMs,
          label,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (attempt === 1 && isAdapterError(error) && error.code === 'auth_failed') {
          this.#o.token.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }
}
