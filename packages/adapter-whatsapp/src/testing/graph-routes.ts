import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeServer, type RecordedRequest, respondJson } from '@hermes/adapter-testkit';
import { graphErrorBody, newWamid } from './payloads.js';

/** A message the fake Graph API accepted from the adapter. */
export interface FakeWhatsappSentMessage {
  id: string;
  /** `to`: a wa_id, or a group id. */
  chatId: string;
  type: string;
  /** text.body, the interactive body, or the template's text parameter. */
  text?: string;
  /** context.message_id: the message this one quotes. */
  replyTo?: string;
  /** Interactive messages: the ids and titles of the buttons or list rows. */
  actions?: Array<{ id: string; title: string }>;
  /** File name of the uploaded media this message carries. */
  mediaName?: string;
  mediaBytes?: Buffer;
  caption?: string;
  raw: Record<string, unknown>;
  /** Accepted by the API but failed afterwards (e.g. 131047 outside the window): never shown to the user. */
  failedWith?: number;
}

export interface FakeStoredMedia {
  id: string;
  bytes: Buffer;
  mime: string;
  name: string;
}

export interface FakeGraphState {
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  accessToken: string;
  /** Approved templates: name → number of body variables. */
  templates: Map<string, number>;
  sent: FakeWhatsappSentMessage[];
  reactions: Array<{ chatId: string; messageId: string; emoji: string }>;
  reads: Array<{ messageId: string; typing: boolean }>;
  media: Map<string, FakeStoredMedia>;
  /** Inbound message ids the fake delivered (read receipts must name one). */
  inbound: Set<string>;
  /** wa_id → when the user last wrote (ms): Meta's 24-hour window. */
  lastUserMessage: Map<string, number>;
  /** Called after an accepted send that Meta would report on (status webhooks). */
  onAccepted(message: FakeWhatsappSentMessage): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function graphError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  details?: string,
): void {
  respondJson(res, graphErrorBody(code, message, details), status);
}

function authorized(req: RecordedRequest, res: ServerResponse, state: FakeGraphState): boolean {
  if (req.headers.authorization === `Bearer ${state.accessToken}`) return true;
  graphError(
    res,
    401,
    190,
    'Error validating access token',
    'The access token could not be decrypted or has expired',
  );
  return false;
}

const chars = (s: string) => [...s].length;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Checks an interactive object against the documented limits; returns a problem or the buttons. */
function readInteractive(
  i: Record<string, unknown>,
): string | { body: string; actions: Array<{ id: string; title: string }> } {
  const body = obj(i['body'])?.['text'];
  if (typeof body !== 'string' || body === '') return 'interactive.body.text is required';
  const action = obj(i['action']);
  if (i['type'] === 'button') {
    const buttons = Array.isArray(action?.['buttons']) ? (action['buttons'] as unknown[]) : [];
    if (buttons.length < 1 || buttons.length > 3)
      return `a button message takes 1 to 3 buttons, got ${buttons.length}`;
    if (chars(body) > 1024) return 'interactive.body.text of a button message is limited to 1024 characters';
    const actions = buttons
      .map((b) => obj(obj(b)?.['reply']) ?? {})
      .map((r) => ({ id: String(r['id']), title: String(r['title']) }));
    if (actions.some((a) => chars(a.title) > 20 || a.title === ''))
      return 'button titles are 1 to 20 characters';
    if (actions.some((a) => a.id.length > 256)) return 'button ids are at most 256 characters';
    if (new Set(actions.map((a) => a.title)).size !== actions.length) return 'button titles must be unique';
    return { body, actions };
  }
  if (i['type'] === 'list') {
    const sections = Array.isArray(action?.['sections']) ? (action['sections'] as unknown[]) : [];
    const rows = sections.flatMap((s) =>
      Array.isArray(obj(s)?.['rows']) ? (obj(s)!['rows'] as unknown[]) : [],
    );
    if (rows.length < 1 || rows.length > 10) return `a list takes 1 to 10 rows, got ${rows.length}`;
    if (typeof action?.['button'] !== 'string' || chars(action['button']) > 20)
      return 'action.button is 1 to 20 characters';
    const actions = rows
      .map((r) => obj(r) ?? {})
      .map((r) => ({ id: String(r['id']), title: String(r['title']) }));
    if (actions.some((a) => chars(a.title) > 24)) return 'row titles are at most 24 characters';
    if (actions.some((a) => a.id.length > 200)) return 'row ids are at most 200 characters';
    if (chars(body) > 4096) return 'interactive.body.text is limited to 4096 characters';
    return { body, actions };
  }
  return `interactive type ${String(i['type'])} is not supported by this fake`;
}

/**
 * Answers `POST /<phone-number-id>/messages` like the Cloud API: validates the documented shapes and
 * limits, returns `{ messaging_product, contacts, messages: [{ id }] }`, and (as Meta does) accepts a
 * free-form message outside the 24-hour window only to fail it afterwards with #131047.
 */
function handleMessages(req: RecordedRequest, res: ServerResponse, state: FakeGraphState) {
  if (!authorized(req, res, state)) return;
  let body: Record<string, unknown>;
  try {
    body = obj(req.json()) ?? {};
  } catch {
    return graphError(res, 400, 100, 'Invalid parameter', 'the request body is not JSON');
  }
  if (body['messaging_product'] !== 'whatsapp')
    return graphError(res, 400, 100, 'Invalid parameter', 'messaging_product must be "whatsapp"');
  if (body['status'] === 'read') {
    const messageId = String(body['message_id']);
    if (!state.inbound.has(messageId))
      return graphError(res, 400, 100, 'Invalid parameter', `unknown message_id ${messageId}`);
    state.reads.push({ messageId, typing: obj(body['typing_indicator'])?.['type'] === 'text' });
    return respondJson(res, { success: true });
  }
  const to = body['to'];
  const type = body['type'];
  if (typeof to !== 'string' || to === '' || typeof type !== 'string') {
    return graphError(res, 400, 100, 'Invalid parameter', 'to and type are required');
  }
  const typed = obj(body[type]);
  if (!typed) return graphError(res, 400, 100, 'Invalid parameter', `${type} object is required`);
  const message: FakeWhatsappSentMessage = { id: newWamid(), chatId: to, type, raw: body };
  const replyTo = obj(body['context'])?.['message_id'];
  if (typeof replyTo === 'string') message.replyTo = replyTo;
  switch (type) {
    case 'text': {
      const text = typed['body'];
      if (typeof text !== 'string' || text === '')
        return graphError(res, 400, 100, 'Invalid parameter', 'text.body is required');
      if (text.length > 4096)
        return graphError(res, 400, 100, 'Invalid parameter', 'text.body is limited to 4096 characters');
      message.text = text;
      break;
    }
    case 'interactive': {
      const read = readInteractive(typed);
      if (typeof read === 'string') return graphError(res, 400, 131009, 'Parameter value is not valid', read);
      message.text = read.body;
      message.actions = read.actions;
      break;
    }
    case 'reaction': {
      const messageId = typed['message_id'];
      if (typeof messageId !== 'string')
        return graphError(res, 400, 100, 'Invalid parameter', 'reaction.message_id is required');
      state.reactions.push({ chatId: to, messageId, emoji: String(typed['emoji'] ?? '') });
      break;
    }
    case 'template': {
      const name = String(typed['name']);
      const expected = state.templates.get(name);
      if (expected === undefined || typeof obj(typed['language'])?.['code'] !== 'string') {
        return graphError(
          res,
          404,
          132001,
          'Template name does not exist in the translation',
          `template ${name} does not exist`,
        );
      }
      const components = Array.isArray(typed['components']) ? (typed['components'] as unknown[]) : [];
      const params = components.flatMap((c) =>
        Array.isArray(obj(c)?.['parameters']) ? (obj(c)!['parameters'] as unknown[]) : [],
      );
      if (params.length !== expected) {
        return graphError(
          res,
          400,
          132000,
          'Number of parameters does not match the expected number of params',
          `expected ${expected}, got ${params.length}`,
        );
      }
      const text = obj(params[0])?.['text'];
      if (typeof text === 'string') {
        if (/[\n\t]| {5,}/.test(text))
          return graphError(
            res,
            400,
            132018,
            'There was an issue with the parameters in your template',
            'Param text cannot have new-line/tab characters or more than 4 consecutive spaces',
          );
        message.text = text;
      }
      break;
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const stored = state.media.get(String(typed['id']));
      if (!stored)
        return graphError(res, 400, 131053, 'Media upload error', `unknown media id ${String(typed['id'])}`);
      message.mediaName = typeof typed['filename'] === 'string' ? typed['filename'] : stored.name;
      message.mediaBytes = stored.bytes;
      if (typeof typed['caption'] === 'string') message.caption = typed['caption'];
      break;
    }
    default:
      return graphError(
        res,
        400,
        131051,
        'Unsupported message type',
        `type ${type} is not supported by this fake`,
      );
  }
  const individual = body['recipient_type'] !== 'group';
  const last = state.lastUserMessage.get(to);
  if (individual && type !== 'template' && (last === undefined || Date.now() - last >= DAY_MS)) {
    message.failedWith = 131047;
  }
  state.sent.push(message);
  respondJson(res, {
    messaging_product: 'whatsapp',
    contacts: individual ? [{ input: to, wa_id: to }] : [],
    messages: [{ id: message.id }],
  });
  state.onAccepted(message);
}

/** `POST /<phone-number-id>/media`: multipart `file`, `type`, `messaging_product` → `{ id }`. */
async function handleUpload(req: RecordedRequest, res: ServerResponse, state: FakeGraphState): Promise<void> {
  if (!authorized(req, res, state)) return;
  let form: FormData;
  try {
    const contentType = String(req.headers['content-type'] ?? '');
    form = await new Response(new Uint8Array(req.body), {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    return graphError(res, 400, 100, 'Invalid parameter', 'the upload is not multipart/form-data');
  }
  const file = form.get('file');
  if (form.get('messaging_product') !== 'whatsapp' || !(file instanceof Blob)) {
    return graphError(
      res,
      400,
      100,
      'Invalid parameter',
      'messaging_product=whatsapp and a file part are required',
    );
  }
  const id = String(1_000_000_000 + state.media.size + 1);
  const mime = String(form.get('type') ?? file.type);
  const name = file instanceof File ? file.name : 'upload';
  state.media.set(id, { id, bytes: Buffer.from(await file.arrayBuffer()), mime, name });
  respondJson(res, { id });
}

/** Scripts the Graph routes on the toolkit server, under `/<version>` (later routes win on the toolkit). */
export function routeFakeGraph(server: FakeServer, version: string, state: FakeGraphState): void {
  const prefix = `/${version}`;
  server.route('POST', `${prefix}/${state.phoneNumberId}/messages`, (req, res) =>
    handleMessages(req, res, state),
  );
  server.route('POST', `${prefix}/${state.phoneNumberId}/media`, (req, res) => handleUpload(req, res, state));
  server.route('GET', new RegExp(`^${prefix}/\\d+$`), (req, res) => {
    if (!authorized(req, res, state)) return;
    const id = req.path.slice(prefix.length + 1);
    const stored = state.media.get(id);
    if (!stored)
      return graphError(
        res,
        400,
        100,
        'Invalid parameter',
        `Unsupported get request: object ${id} does not exist`,
      );
    respondJson(res, {
      messaging_product: 'whatsapp',
      url: `${server.url}/media-files/${id}`,
      mime_type: stored.mime,
      sha256: createHash('sha256').update(stored.bytes).digest('hex'),
      file_size: stored.bytes.length,
      id,
    });
  });
  server.route('GET', `${prefix}/${state.phoneNumberId}`, (req, res) => {
    if (!authorized(req, res, state)) return;
    respondJson(res, {
      display_phone_number: state.displayPhoneNumber,
      verified_name: state.verifiedName,
      id: state.phoneNumberId,
    });
  });
  server.route('GET', /^\/media-files\/\d+$/, (req, res) => {
    if (!authorized(req, res, state)) return;
    const stored = state.media.get(req.path.slice('/media-files/'.length));
    if (!stored) return graphError(res, 404, 100, 'Invalid parameter', 'no such media');
    res.writeHead(200, { 'content-type': stored.mime, 'content-length': String(stored.bytes.length) });
    res.end(stored.bytes);
  });
}
