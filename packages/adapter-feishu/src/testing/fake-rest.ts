import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeServer, type RecordedRequest, respondJson, respondRaw } from '@hermes/adapter-testkit';
import {
  buttonsOfCard,
  type FakeEdit,
  type FakeFeishuSentMessage,
  type FakeReaction,
  type FakeStoredMessage,
  type FakeUpload,
  textOfContent,
} from './fake-store.js';

export interface FakeRestOptions {
  appId: string;
  appSecret: string;
  botOpenId: string;
  botName: string;
  clientConfig: Record<string, number>;
  tokenExpireS: number | undefined;
  /** How long a send's `uuid` dedupes later sends with the same uuid (Feishu: 1 hour). */
  uuidWindowMs: number;
  nextId(prefix: string): string;
}

/** Feishu's documented cap on `uuid`; a longer one is refused, so an adapter bug shows in tests. */
const UUID_MAX_CHARS = 50;

/**
 * The REST half of the fake: tenant token, long-connection endpoint, bot info and the im/v1 routes
 * (messages with uuid dedupe, replies, edits, card patches, reactions, uploads, resources, message get),
 * answering with Feishu's `{code, msg, data}` envelope and its error codes.
 */
export function registerFakeFeishuRest(server: FakeServer, o: FakeRestOptions) {
  const { appId, appSecret, botOpenId, botName, clientConfig, uuidWindowMs } = o;
  const next = o.nextId;
  const options = { tokenExpireS: o.tokenExpireS };
  const tokens = new Set<string>();
  const messages = new Map<string, FakeStoredMessage>();
  const resources = new Map<string, Buffer>();
  const uploads = new Map<string, FakeUpload>();
  /** uuid → the message its first send created, and when (Feishu keeps a uuid for one hour). */
  const uuids = new Map<string, { messageId: string; at: number }>();
  const sent: FakeFeishuSentMessage[] = [];
  const sentListeners = new Set<(m: FakeFeishuSentMessage) => void>();
  const edits: FakeEdit[] = [];
  const reactions: FakeReaction[] = [];
  const sendFailures: Array<{ code: number; msg: string; status: number }> = [];
  const counters = { loseAnswers: 0, issued: 0 };

  const fail = (res: ServerResponse, code: number, msg: string, status = 400) =>
    respondJson(res, { code, msg }, status);
  const authorized = (req: RecordedRequest): boolean => {
    const header = req.headers['authorization'];
    return typeof header === 'string' && tokens.has(header.replace(/^Bearer /, ''));
  };
  const guard =
    (handler: (req: RecordedRequest, res: ServerResponse) => void | Promise<void>) =>
    async (req: RecordedRequest, res: ServerResponse) => {
      if (!authorized(req)) return fail(res, 99991663, 'Invalid access token for authorization', 400);
      return handler(req, res);
    };

  // --- auth and the long-connection endpoint ---
  server.route('POST', '/open-apis/auth/v3/tenant_access_token/internal', (req, res) => {
    const body = req.json<{ app_id?: string; app_secret?: string }>();
    if (body.app_id !== appId) return respondJson(res, { code: 10003, msg: 'invalid app_id' });
    if (body.app_secret !== appSecret) return respondJson(res, { code: 10014, msg: 'app secret invalid' });
    const token = `t-${randomBytes(12).toString('hex')}`;
    tokens.add(token);
    counters.issued++;
    respondJson(res, {
      code: 0,
      msg: 'ok',
      tenant_access_token: token,
      expire: options.tokenExpireS ?? 7200,
    });
  });
  server.route('POST', '/callback/ws/endpoint', (req, res) => {
    const body = req.json<{ AppID?: string; AppSecret?: string }>();
    if (body.AppID !== appId || body.AppSecret !== appSecret)
      return respondJson(res, { code: 514, msg: 'auth failed: app id or app secret is invalid', data: {} });
    respondJson(res, {
      code: 0,
      msg: 'ok',
      data: { URL: `${server.wsUrl}/ws?device_id=fake-device&service_id=7`, ClientConfig: clientConfig },
    });
  });
  server.route(
    'GET',
    '/open-apis/bot/v3/info',
    guard((_req, res) =>
      respondJson(res, {
        code: 0,
        msg: 'ok',
        bot: { activate_status: 2, app_name: botName, avatar_url: '', ip_white_list: [], open_id: botOpenId },
      }),
    ),
  );

  // --- sending ---
  const accept = (
    req: RecordedRequest,
    stored: FakeStoredMessage,
    o: { replyTo?: string; threadId?: string; uuid?: string },
  ) => {
    const upload = (() => {
      try {
        const body = JSON.parse(stored.content) as { image_key?: string; file_key?: string };
        const key = body.file_key ?? body.image_key;
        return key ? uploads.get(key) : undefined;
      } catch {
        return undefined;
      }
    })();
    const text = textOfContent(stored.msgType, stored.content);
    const record: FakeFeishuSentMessage = {
      messageId: stored.messageId,
      chatId: stored.chatId,
      msgType: stored.msgType,
      ...(text !== undefined ? { text } : {}),
      ...(o.threadId ? { threadId: o.threadId } : {}),
      ...(o.replyTo ? { replyTo: o.replyTo } : {}),
      ...(o.uuid ? { uuid: o.uuid } : {}),
      ...(upload ? { mediaName: upload.name, mediaBytes: upload.bytes } : {}),
      ...(stored.msgType === 'interactive' ? { buttons: buttonsOfCard(stored.content) } : {}),
      raw: req.json(),
    };
    sent.push(record);
    for (const listener of sentListeners) listener(record);
  };
  const messageData = (m: FakeStoredMessage) => ({
    message_id: m.messageId,
    ...(m.rootId ? { root_id: m.rootId, thread_id: `omt_${m.rootId}` } : {}),
    ...(m.parentId ? { parent_id: m.parentId } : {}),
    msg_type: m.msgType,
    create_time: String(m.createTime),
    chat_id: m.chatId,
    sender: { id: appId, id_type: 'app_id', sender_type: 'app', tenant_key: 'tenant-fake' },
    body: { content: m.content },
  });
  const validContent = (msgType: string, content: unknown): string | undefined => {
    if (typeof content !== 'string') return 'content must be a JSON string';
    try {
      const parsed = JSON.parse(content) as Record<string, unknown>;
      if (msgType === 'post') {
        const locale = (parsed['zh_cn'] ?? parsed['en_us']) as { content?: unknown } | undefined;
        if (!locale || !Array.isArray(locale.content)) return 'content format of the post type is incorrect';
      }
    } catch {
      return 'content is not valid JSON';
    }
    return undefined;
  };
  const answerSend = (res: ServerResponse, stored: FakeStoredMessage) => {
    if (counters.loseAnswers > 0) {
      counters.loseAnswers--;
      res.socket?.destroy();
      return;
    }
    respondJson(res, { code: 0, msg: 'success', data: messageData(stored) });
  };
  const takeFailure = (res: ServerResponse): boolean => {
    const f = sendFailures.shift();
    if (!f) return false;
    fail(res, f.code, f.msg, f.status);
    return true;
  };

  /**
   * Feishu's send dedupe: a uuid seen within the window answers with the message its first send created
   * (same message_id) and creates nothing, whatever the body says this time. The answer can still be lost,
   * as any answer can. Returns true when the request was answered here.
   */
  const answeredByUuid = (res: ServerResponse, uuid: unknown): boolean => {
    if (uuid === undefined) return false;
    if (typeof uuid !== 'string' || uuid.length > UUID_MAX_CHARS) {
      fail(
        res,
        99992402,
        `field validation failed: uuid must be a string of at most ${UUID_MAX_CHARS} chars`,
      );
      return true;
    }
    const seen = uuids.get(uuid);
    if (!seen) return false;
    if (Date.now() - seen.at >= uuidWindowMs) {
      uuids.delete(uuid);
      return false;
    }
    answerSend(res, messages.get(seen.messageId)!);
    return true;
  };
  const rememberUuid = (uuid: string | undefined, stored: FakeStoredMessage) => {
    if (uuid) uuids.set(uuid, { messageId: stored.messageId, at: Date.now() });
  };

  server.route(
    'POST',
    '/open-apis/im/v1/messages',
    guard((req, res) => {
      if (req.query.get('receive_id_type') !== 'chat_id')
        return fail(res, 230001, 'receive_id_type must be chat_id here');
      const body = req.json<{ receive_id?: string; msg_type?: string; content?: unknown; uuid?: string }>();
      if (answeredByUuid(res, body.uuid)) return;
      if (takeFailure(res)) return;
      if (!body.receive_id || !body.msg_type)
        return fail(res, 230001, 'receive_id and msg_type are required');
      const problem = validContent(body.msg_type, body.content);
      if (problem) return fail(res, 230001, problem);
      const stored: FakeStoredMessage = {
        messageId: next('om_'),
        chatId: body.receive_id,
        msgType: body.msg_type,
        content: body.content as string,
        from: 'bot',
        withdrawn: false,
        createTime: Date.now(),
      };
      messages.set(stored.messageId, stored);
      rememberUuid(body.uuid, stored);
      accept(req, stored, body.uuid ? { uuid: body.uuid } : {});
      answerSend(res, stored);
    }),
  );
  server.route(
    'POST',
    /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/,
    guard((req, res) => {
      const parentId = req.path.split('/')[5]!;
      const body = req.json<{
        msg_type?: string;
        content?: unknown;
        uuid?: string;
        reply_in_thread?: boolean;
      }>();
      if (answeredByUuid(res, body.uuid)) return;
      if (takeFailure(res)) return;
      const parent = messages.get(parentId);
      if (!parent) return fail(res, 231003, 'The message is not found');
      if (parent.withdrawn) return fail(res, 230011, 'The message was withdrawn.');
      if (!body.msg_type) return fail(res, 230001, 'msg_type is required');
      const problem = validContent(body.msg_type, body.content);
      if (problem) return fail(res, 230001, problem);
      const rootId = parent.rootId ?? (body.reply_in_thread ? parent.messageId : undefined);
      const stored: FakeStoredMessage = {
        messageId: next('om_'),
        chatId: parent.chatId,
        ...(rootId ? { rootId } : {}),
        parentId,
        msgType: body.msg_type,
        content: body.content as string,
        from: 'bot',
        withdrawn: false,
        createTime: Date.now(),
      };
      messages.set(stored.messageId, stored);
      rememberUuid(body.uuid, stored);
      accept(req, stored, {
        replyTo: parentId,
        ...(rootId ? { threadId: rootId } : {}),
        ...(body.uuid ? { uuid: body.uuid } : {}),
      });
      answerSend(res, stored);
    }),
  );
  const editRoute = (method: 'PUT' | 'PATCH') =>
    guard((req, res) => {
      const id = req.path.split('/')[5]!;
      const m = messages.get(id);
      if (!m) return fail(res, 231003, 'The message is not found');
      if (m.from !== 'bot')
        return fail(res, 230027, 'Lack of necessary permissions: only the sender may edit');
      const body = req.json<{ msg_type?: string; content?: unknown }>();
      const msgType = method === 'PATCH' ? 'interactive' : (body.msg_type ?? '');
      if (method === 'PATCH' && m.msgType !== 'interactive')
        return fail(res, 230001, 'only card messages can be patched');
      const problem = validContent(msgType, body.content);
      if (problem) return fail(res, 230001, problem);
      m.content = body.content as string;
      m.msgType = msgType;
      edits.push({
        chatId: m.chatId,
        messageId: id,
        text: textOfContent(msgType, m.content) ?? '',
        method,
        raw: body,
      });
      respondJson(res, { code: 0, msg: 'success', data: method === 'PUT' ? messageData(m) : {} });
    });
  server.route('PUT', /^\/open-apis\/im\/v1\/messages\/[^/]+$/, editRoute('PUT'));
  server.route('PATCH', /^\/open-apis\/im\/v1\/messages\/[^/]+$/, editRoute('PATCH'));
  server.route(
    'GET',
    /^\/open-apis\/im\/v1\/messages\/[^/]+$/,
    guard((req, res) => {
      const id = req.path.split('/')[5]!;
      const m = messages.get(id);
      if (!m) return fail(res, 231003, 'The message is not found');
      const items = [m, ...(m.children ?? [])].map((x) => ({
        message_id: x.messageId,
        msg_type: x.msgType,
        create_time: String(x.createTime),
        chat_id: x.chatId,
        ...(x === m ? {} : { upper_message_id: m.messageId }),
        sender: { id: x.senderId ?? 'ou_unknown', id_type: 'open_id', sender_type: 'user' },
        body: { content: x.content },
      }));
      respondJson(res, { code: 0, msg: 'success', data: { items } });
    }),
  );
  server.route(
    'POST',
    /^\/open-apis\/im\/v1\/messages\/[^/]+\/reactions$/,
    guard((req, res) => {
      const id = req.path.split('/')[5]!;
      const m = messages.get(id);
      if (!m) return fail(res, 231003, 'The message is not found');
      const emoji = req.json<{ reaction_type?: { emoji_type?: string } }>().reaction_type?.emoji_type;
      if (!emoji) return fail(res, 231001, 'reaction type is invalid');
      const reaction: FakeReaction = {
        reactionId: next('rc_'),
        chatId: m.chatId,
        messageId: id,
        emoji,
        deleted: false,
      };
      reactions.push(reaction);
      respondJson(res, {
        code: 0,
        msg: 'success',
        data: { reaction_id: reaction.reactionId, reaction_type: { emoji_type: emoji } },
      });
    }),
  );
  server.route(
    'DELETE',
    /^\/open-apis\/im\/v1\/messages\/[^/]+\/reactions\/[^/]+$/,
    guard((req, res) => {
      const reactionId = req.path.split('/')[7]!;
      const reaction = reactions.find((r) => r.reactionId === reactionId && !r.deleted);
      if (!reaction) return fail(res, 231010, 'reaction not found');
      reaction.deleted = true;
      respondJson(res, { code: 0, msg: 'success', data: { reaction_id: reactionId } });
    }),
  );

  // --- uploads and resources ---
  const readForm = (req: RecordedRequest) =>
    new Response(new Uint8Array(req.body), {
      headers: { 'content-type': String(req.headers['content-type'] ?? '') },
    }).formData();
  server.route(
    'POST',
    '/open-apis/im/v1/images',
    guard(async (req, res) => {
      const form = await readForm(req).catch(() => undefined);
      const image = form?.get('image');
      if (form?.get('image_type') !== 'message' || !(image instanceof Blob))
        return fail(res, 234001, 'Invalid request param: image_type=message and image are required');
      const upload: FakeUpload = {
        key: next('img_v3_'),
        kind: 'image',
        name: image instanceof File ? image.name : 'image',
        bytes: Buffer.from(await image.arrayBuffer()),
      };
      uploads.set(upload.key, upload);
      respondJson(res, { code: 0, msg: 'success', data: { image_key: upload.key } });
    }),
  );
  server.route(
    'POST',
    '/open-apis/im/v1/files',
    guard(async (req, res) => {
      const form = await readForm(req).catch(() => undefined);
      const file = form?.get('file');
      const fileType = form?.get('file_type');
      const fileName = form?.get('file_name');
      if (!form || !(file instanceof Blob) || typeof fileType !== 'string' || typeof fileName !== 'string')
        return fail(res, 234001, 'Invalid request param: file_type, file_name and file are required');
      const duration = form.get('duration');
      const upload: FakeUpload = {
        key: next('file_v3_'),
        kind: 'file',
        fileType,
        name: fileName,
        bytes: Buffer.from(await file.arrayBuffer()),
        ...(typeof duration === 'string' ? { duration: Number(duration) } : {}),
      };
      uploads.set(upload.key, upload);
      respondJson(res, { code: 0, msg: 'success', data: { file_key: upload.key } });
    }),
  );
  server.route(
    'GET',
    /^\/open-apis\/im\/v1\/messages\/[^/]+\/resources\/[^/]+$/,
    guard((req, res) => {
      const [, , , , , messageId, , key] = req.path.split('/');
      const bytes = resources.get(`${messageId}/${key}`);
      if (!bytes) return fail(res, 234003, 'File not in msg.', 400);
      respondRaw(res, 200, bytes, { 'content-type': 'application/octet-stream' });
    }),
  );

  return {
    tokens,
    messages,
    resources,
    uploads,
    sent,
    sentListeners,
    edits,
    reactions,
    sendFailures,
    counters,
  };
}
