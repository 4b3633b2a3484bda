import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** A message the fake daemon accepted through `send`. */
export interface FakeSignalSentMessage {
  /** `group:<id>` for a group, else the first recipient. */
  chatId: string;
  text?: string;
  /** `<quoteTimestamp>@<quoteAuthor>` when the send quoted a message. */
  replyTo?: string;
  textStyles: string[];
  mediaName?: string;
  mediaBytes?: Buffer;
  mediaMime?: string;
  /** The timestamp the fake answered with: the message's id on Signal. */
  timestamp: number;
  raw: unknown;
}

export interface FakeSignalTyping {
  chatId: string;
  stop: boolean;
}

export interface FakeSignalReaction {
  chatId: string;
  emoji: string;
  targetAuthor: string;
  targetTimestamp: number;
  remove: boolean;
}

interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

class RpcFailure extends Error {
  constructor(readonly error: JsonRpcError) {
    super(error.message);
  }
}

const userError = (message: string) => new RpcFailure({ code: -1, message });

/** Shared state of the fake daemon that its JSON-RPC methods read and write. */
export interface FakeRpcState {
  account: string;
  accountUuid: string;
  sent: FakeSignalSentMessage[];
  typing: FakeSignalTyping[];
  reactions: FakeSignalReaction[];
  attachments: Map<string, { bytes: Buffer; mime: string; name: string }>;
  /** Rate-limit answers still to give to `send`, with their retryAfterSeconds. */
  rateLimits: number[];
  rateLimited: Array<{ at: number }>;
  nextTimestamp(): number;
}

function list(params: Record<string, unknown>, singular: string): string[] | undefined {
  const value = params[singular] ?? params[`${singular}s`];
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  return items.map(String);
}

/** signal-cli's data URI syntax: `data:<mime>;filename=<url-encoded name>;base64,<data>`. */
function readAttachment(spec: string): { name: string; bytes: Buffer; mime: string } {
  const match = /^data:([^;,]+\/[^;,]+)?(?:;filename=([^;,]+))?(;base64)?,(.*)$/s.exec(spec);
  if (match) {
    const [, mime = 'text/plain', name = 'attachment', base64, data = ''] = match;
    const bytes = base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data));
    return { name: decodeURIComponent(name), bytes, mime };
  }
  try {
    return { name: basename(spec), bytes: readFileSync(spec), mime: 'application/octet-stream' };
  } catch {
    throw new RpcFailure({ code: -32603, message: `Failed to send message: ${spec} (NoSuchFileException)` });
  }
}

function targetOf(params: Record<string, unknown>): string {
  const groupIds = list(params, 'groupId');
  if (groupIds && groupIds.length > 0) return `group:${groupIds[0]}`;
  const recipients = list(params, 'recipient');
  if (recipients && recipients.length > 0) return recipients[0]!;
  throw userError('No recipients given');
}

function send(state: FakeRpcState, params: Record<string, unknown>): unknown {
  const chatId = targetOf(params);
  const message = typeof params['message'] === 'string' ? params['message'] : '';
  const attachments = (list(params, 'attachment') ?? []).map(readAttachment);
  if (message === '' && attachments.length === 0) {
    throw userError(
      'Sending empty message is not allowed, either a message, attachment or sticker must be given.',
    );
  }
  const limit = state.rateLimits.shift();
  if (limit !== undefined) {
    state.rateLimited.push({ at: Date.now() });
    const recipient = chatId.startsWith('group:') ? undefined : chatId;
    throw new RpcFailure({
      code: -5,
      message: 'Failed to send message due to rate limiting',
      data: {
        response: {
          timestamp: state.nextTimestamp(),
          results: [
            {
              recipientAddress: { uuid: randomUUID(), number: recipient ?? null },
              type: 'RATE_LIMIT_FAILURE',
              retryAfterSeconds: limit,
            },
          ],
        },
      },
    });
  }
  const timestamp = state.nextTimestamp();
  const record: FakeSignalSentMessage = {
    chatId,
    textStyles: list(params, 'textStyle') ?? [],
    timestamp,
    raw: params,
  };
  if (message !== '') record.text = message;
  const quoteTimestamp = params['quoteTimestamp'];
  if (quoteTimestamp !== undefined) {
    if (typeof params['quoteAuthor'] !== 'string') throw userError('Quote author parameter is missing');
    record.replyTo = `${String(quoteTimestamp)}@${params['quoteAuthor']}`;
  }
  const first = attachments[0];
  if (first) {
    record.mediaName = first.name;
    record.mediaBytes = first.bytes;
    record.mediaMime = first.mime;
  }
  state.sent.push(record);
  return {
    timestamp,
    results: [{ recipientAddress: { uuid: randomUUID(), number: null }, type: 'SUCCESS' }],
  };
}

function dispatch(state: FakeRpcState, method: string, params: Record<string, unknown>): unknown {
  switch (method) {
    case 'send':
      return send(state, params);
    case 'sendTyping':
      state.typing.push({ chatId: targetOf(params), stop: params['stop'] === true });
      return {};
    case 'sendReaction': {
      const emoji = params['emoji'];
      const targetAuthor = params['targetAuthor'];
      const targetTimestamp = Number(params['targetTimestamp']);
      if (
        typeof emoji !== 'string' ||
        typeof targetAuthor !== 'string' ||
        !Number.isFinite(targetTimestamp)
      ) {
        throw userError('emoji, targetAuthor and targetTimestamp are required');
      }
      state.reactions.push({
        chatId: targetOf(params),
        emoji,
        targetAuthor,
        targetTimestamp,
        remove: params['remove'] === true,
      });
      return { timestamp: state.nextTimestamp(), results: [] };
    }
    case 'getAttachment': {
      const id = params['id'];
      const stored = typeof id === 'string' ? state.attachments.get(id) : undefined;
      if (!stored) throw userError(`Could not find attachment with ID: ${String(id)}`);
      return { data: stored.bytes.toString('base64') };
    }
    case 'getUserStatus':
      return (list(params, 'recipient') ?? []).map((recipient) => ({
        recipient,
        number: recipient,
        uuid: recipient === state.account ? state.accountUuid : randomUUID(),
        isRegistered: true,
      }));
    case 'version':
      return { version: '0.13.x-fake' };
    default:
      throw new RpcFailure({ code: -32601, message: 'Method not implemented' });
  }
}

/** Answers one JSON-RPC request object the way signal-cli's HTTP handler does. */
export function answerRpc(state: FakeRpcState, request: unknown): unknown {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return {
      jsonrpc: '2.0',
      error: { code: -32600, message: 'request must be an object', data: null },
      id: null,
    };
  }
  const r = request as Record<string, unknown>;
  const id = r['id'] ?? null;
  if (typeof r['method'] !== 'string') {
    return { jsonrpc: '2.0', error: { code: -32600, message: 'method field must be set', data: null }, id };
  }
  const params = (
    typeof r['params'] === 'object' && r['params'] !== null ? { ...(r['params'] as object) } : {}
  ) as Record<string, unknown>;
  if (params['account'] !== undefined && params['account'] !== state.account) {
    return {
      jsonrpc: '2.0',
      error: { code: -32602, message: 'Specified account does not exist', data: null },
      id,
    };
  }
  delete params['account'];
  try {
    return { jsonrpc: '2.0', result: dispatch(state, r['method'], params), id };
  } catch (error) {
    if (error instanceof RpcFailure) return { jsonrpc: '2.0', error: { data: null, ...error.error }, id };
    throw error;
  }
}
