import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  AdapterError,
  type ChatRef,
  type MediaKind,
  type OutboundMedia,
  type OutboundMessage,
  type PlatformAdapter,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import type {
  PlatformCallError,
  PlatformCallOutcome,
  PlatformCallRun,
  PlatformCallServer,
  PlatformCalls,
} from '../state/storage.js';

/** What a replica without the connection needs: asking. */
export type PlatformCallsPort = Pick<PlatformCalls, 'call'>;

/** The adapter methods forwarded; everything else (streams, tools, request/reply, menus) stays local-only. */
export type RemoteOp = 'send' | 'edit' | 'delete' | 'react' | 'typing' | 'settleActions';

export interface RemoteAdapterOptions {
  /** How long one call may wait for the holder (default 30 s). */
  timeoutMs?: number;
  /** Media bytes one message may carry to the holder, inlined in the call (default 20 MB). */
  maxInlineMediaBytes?: number;
}

export const DEFAULT_REMOTE_CALL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_INLINE_MEDIA_BYTES = 20 * 1024 * 1024;

/** A media file as it travels: the holder cannot see the caller's disk, so the bytes go along (base64). */
interface InlineMedia {
  kind: MediaKind;
  mime?: string;
  name?: string;
  caption?: string;
  /** The file's base name, kept so an adapter that names uploads after the file shows the same name. */
  fileName: string;
  data: string;
}

type WireMessage = Omit<OutboundMessage, 'media'> & { media?: InlineMedia[] };

interface SendArgs {
  chat: ChatRef;
  message: WireMessage;
}

interface MessageArgs {
  chat: ChatRef;
  messageId: string;
}

const REMOTE_MEDIA_PREFIX = 'hermes-remote-media-';

/**
 * The adapter of a platform whose connection another replica holds: each send, edit, delete, reaction,
 * typing indicator and button settle is recorded for the holder, which runs it on its live adapter and
 * answers. `local` is the same adapter configured here but not started; only its identity and capabilities
 * are used, and which of the forwarded methods it has. Hosts check a method's presence beside its capability
 * (`startStream`, `agentTools` ...), so those stay absent here and the host falls back as for any adapter.
 */
export function remotePlatformAdapter(
  local: PlatformAdapter,
  calls: PlatformCallsPort,
  options: RemoteAdapterOptions = {},
): PlatformAdapter {
  const forward = new Forwarder(local.platform, calls, {
    timeoutMs: options.timeoutMs ?? DEFAULT_REMOTE_CALL_TIMEOUT_MS,
    maxInlineMediaBytes: options.maxInlineMediaBytes ?? DEFAULT_MAX_INLINE_MEDIA_BYTES,
  });
  const adapter: PlatformAdapter = {
    platform: local.platform,
    capabilities: local.capabilities,
    start: async () => {
      throw new AdapterError(
        'unsupported',
        `the ${local.platform} connection is held by another replica: this adapter forwards calls to it and is never started here`,
        { platform: local.platform },
      );
    },
    // Nothing to stop: every call lives in the database and ends by its own deadline.
    stop: async () => {},
    send: (chat, message) => forward.send(chat, message),
  };
  if (local.edit)
    adapter.edit = (chat, messageId, text) => forward.sendResult('edit', { chat, messageId, text });
  if (local.settleActions)
    adapter.settleActions = (chat, messageId, outcome) =>
      forward.sendResult('settleActions', { chat, messageId, outcome });
  if (local.delete) adapter.delete = (chat, messageId) => forward.delete({ chat, messageId });
  if (local.react)
    adapter.react = (chat, messageId, emoji) => forward.void('react', { chat, messageId, emoji });
  if (local.typing) adapter.typing = (chat) => forward.void('typing', { chat });
  return adapter;
}

/** The caller's side: encodes a call, waits for its outcome and turns it back into what the contract returns. */
class Forwarder {
  constructor(
    private readonly platform: string,
    private readonly calls: PlatformCallsPort,
    private readonly limits: { timeoutMs: number; maxInlineMediaBytes: number },
  ) {}

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const inlined = await this.#inline(message.media ?? []);
    if (!inlined.ok) return inlined;
    const { media: _paths, ...rest } = message;
    const wire: WireMessage = inlined.media.length > 0 ? { ...rest, media: inlined.media } : rest;
    return this.sendResult('send', { chat, message: wire } satisfies SendArgs);
  }

  async sendResult(op: 'send' | 'edit' | 'settleActions', args: unknown): Promise<SendResult> {
    const outcome = await this.#call(op, args);
    if (outcome instanceof AdapterError) return { ok: false, error: outcome };
    const messageIds = messageIdsOf(outcome);
    if (messageIds) return { ok: true, messageIds };
    return {
      ok: false,
      // The holder ran it and answered something else: a newer or older release. It may have arrived.
      error: new AdapterError(
        'timeout_ambiguous',
        `the replica holding the ${this.platform} connection ran the ${op} but its answer had no message ids`,
        { platform: this.platform },
      ),
    };
  }

  /** Like a local adapter's delete: false when it did not (or may not have) happen. */
  async delete(args: MessageArgs): Promise<boolean> {
    const outcome = await this.#call('delete', args);
    return !(outcome instanceof AdapterError) && isRecord(outcome) && outcome['deleted'] === true;
  }

  /** Reactions and typing resolve when done and throw the AdapterError otherwise, as a local adapter may. */
  async void(op: 'react' | 'typing', args: unknown): Promise<void> {
    const outcome = await this.#call(op, args);
    if (outcome instanceof AdapterError) throw outcome;
  }

  /** The holder's result, or the AdapterError the call ended with. */
  async #call(op: RemoteOp, args: unknown): Promise<unknown> {
    let outcome: PlatformCallOutcome;
    try {
      outcome = await this.calls.call(this.platform, op, args, this.limits.timeoutMs);
    } catch (error) {
      // Not recorded, so nobody can run it: as safe to retry as a send before the connection is up.
      return new AdapterError(
        'not_connected',
        `the ${op} could not be handed to the replica holding the ${this.platform} connection: ${messageOf(error)}`,
        { platform: this.platform, cause: error },
      );
    }
    if (outcome.state === 'done') return outcome.result;
    if (outcome.state === 'failed') return adapterErrorOf(outcome.error, this.platform);
    return timeoutError(op, this.platform, this.limits.timeoutMs, outcome.taken);
  }

  async #inline(
    media: readonly OutboundMedia[],
  ): Promise<{ ok: true; media: InlineMedia[] } | { ok: false; error: AdapterError }> {
    const limit = this.limits.maxInlineMediaBytes;
    const out: InlineMedia[] = [];
    let total = 0;
    for (const m of media) {
      let bytes: Buffer;
      try {
        // The size first: a file over the limit is refused without being read into memory.
        const size = (await stat(m.path)).size;
        if (total + size > limit) return { ok: false, error: this.#tooLarge(total + size, limit) };
        bytes = await readFile(m.path);
      } catch (error) {
        return {
          ok: false,
          error: new AdapterError(
            'media_refused',
            `media file ${basename(m.path)} could not be read to forward it: ${messageOf(error)}`,
            { platform: this.platform, cause: error },
          ),
        };
      }
      // Counted again as read: it may have grown since stat.
      total += bytes.length;
      if (total > limit) return { ok: false, error: this.#tooLarge(total, limit) };
      out.push(inlineMediaOf(m, bytes));
    }
    return { ok: true, media: out };
  }

  #tooLarge(total: number, limit: number): AdapterError {
    return new AdapterError(
      'too_large',
      `media of ${total} bytes cannot be forwarded to the replica holding the ${this.platform} connection: the limit on media sent through another replica is ${limit} bytes (maxInlineMediaBytes)`,
      { platform: this.platform, fix: 'send a smaller file, or raise maxInlineMediaBytes' },
    );
  }
}

function inlineMediaOf(m: OutboundMedia, bytes: Buffer): InlineMedia {
  const inline: InlineMedia = { kind: m.kind, fileName: basename(m.path), data: bytes.toString('base64') };
  if (m.mime !== undefined) inline.mime = m.mime;
  if (m.name !== undefined) inline.name = m.name;
  if (m.caption !== undefined) inline.caption = m.caption;
  return inline;
}

function timeoutError(op: RemoteOp, platform: string, timeoutMs: number, taken: boolean): AdapterError {
  if (taken)
    return new AdapterError(
      'timeout_ambiguous',
      `the replica holding the ${platform} connection took the ${op} but did not answer within ${timeoutMs} ms: it may have reached the chat, so it is not repeated`,
      { platform },
    );
  // Withdrawn before anyone took it: it surely did not happen. Retryable, and a reply stays queued for the
  // connection's next holder (the deliverer keeps `not_connected` sends pending).
  return new AdapterError(
    'not_connected',
    `no replica holding the ${platform} connection took the ${op} within ${timeoutMs} ms; it was withdrawn unsent`,
    { platform, retryable: true },
  );
}

function adapterErrorOf(error: PlatformCallError, platform: string): AdapterError {
  const options: ConstructorParameters<typeof AdapterError>[2] = { platform };
  if (error.retryAfterMs !== undefined) options.retryAfterMs = error.retryAfterMs;
  if (error.retryable !== undefined) options.retryable = error.retryable;
  if (error.fix !== undefined) options.fix = error.fix;
  return new AdapterError(error.code, error.message, options);
}

function messageIdsOf(result: unknown): string[] | undefined {
  if (!isRecord(result)) return undefined;
  const ids = result['messageIds'];
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
}

// ---- The holder's side --------------------------------------------------------------------------------------

/**
 * Serves the calls other replicas make for the platforms this one holds (`platforms()`), on the live
 * adapters `adapterFor` returns. `adapterFor` must return the started adapter, never a remote one: a
 * platform this replica does not hold is not in `platforms()` and its calls are left for the holder.
 */
export function servePlatformCalls(
  calls: Pick<PlatformCalls, 'serve'>,
  adapterFor: (platform: string) => PlatformAdapter | undefined,
  platforms: () => readonly string[],
  options: {
    onError?: (error: unknown) => void;
    /** Calls the host answers itself, not the adapter (an attachment download for another replica). */
    hostOps?: Readonly<Record<string, (args: unknown) => Promise<PlatformCallRun>>>;
  } = {},
): PlatformCallServer {
  return calls.serve({
    platforms,
    run: (platform, op, args) => {
      const own = options.hostOps?.[op];
      return own ? own(args) : runPlatformCall(adapterFor(platform), platform, op, args);
    },
    // A chat's calls keep their order; different chats do not wait for each other.
    lane: (platform, _op, args) => {
      const chat = isRecord(args) ? args['chat'] : undefined;
      return isChatRef(chat) ? `${platform}\u0000${chat.chatId}` : platform;
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

/** Runs one forwarded call on a live adapter; never throws. */
export async function runPlatformCall(
  adapter: PlatformAdapter | undefined,
  platform: string,
  op: string,
  args: unknown,
): Promise<PlatformCallRun> {
  if (!adapter) return refused('not_connected', `platform ${platform} is not running on this replica`);
  try {
    return await dispatch(adapter, op, args);
  } catch (error) {
    return { ok: false, error: callErrorOf(toAdapterError(error, platform)) };
  }
}

async function dispatch(adapter: PlatformAdapter, op: string, args: unknown): Promise<PlatformCallRun> {
  if (!isRecord(args) || !isChatRef(args['chat'])) return refused('bad_request', `malformed ${op} call`);
  const chat = args['chat'];
  const messageId = typeof args['messageId'] === 'string' ? args['messageId'] : undefined;
  const text = (name: string): string | undefined => {
    const value = args[name];
    return typeof value === 'string' ? value : undefined;
  };
  switch (op) {
    case 'send':
      return isRecord(args['message'])
        ? sendOutcome(await sendWithMedia(adapter, chat, args['message'] as WireMessage))
        : refused('bad_request', 'malformed send call');
    case 'edit': {
      const body = text('text');
      if (!adapter.edit) return unsupported(adapter, op);
      if (messageId === undefined || body === undefined) return refused('bad_request', 'malformed edit call');
      return sendOutcome(await adapter.edit(chat, messageId, body));
    }
    case 'settleActions': {
      const outcome = text('outcome');
      if (!adapter.settleActions) return unsupported(adapter, op);
      if (messageId === undefined || outcome === undefined)
        return refused('bad_request', 'malformed settleActions call');
      return sendOutcome(await adapter.settleActions(chat, messageId, outcome));
    }
    case 'delete':
      if (!adapter.delete) return unsupported(adapter, op);
      if (messageId === undefined) return refused('bad_request', 'malformed delete call');
      return { ok: true, result: { deleted: await adapter.delete(chat, messageId) } };
    case 'react': {
      const emoji = text('emoji');
      if (!adapter.react) return unsupported(adapter, op);
      if (messageId === undefined || emoji === undefined)
        return refused('bad_request', 'malformed react call');
      await adapter.react(chat, messageId, emoji);
      return { ok: true, result: null };
    }
    case 'typing':
      if (!adapter.typing) return unsupported(adapter, op);
      await adapter.typing(chat);
      return { ok: true, result: null };
    default:
      return refused('unsupported', `${op} is not an adapter call that can be forwarded`);
  }
}

/** Writes inlined media to a temp directory for the adapter (which wants paths), removed once it answered. */
async function sendWithMedia(
  adapter: PlatformAdapter,
  chat: ChatRef,
  wire: WireMessage,
): Promise<SendResult> {
  const { media: inline, ...rest } = wire;
  if (!inline || inline.length === 0) return adapter.send(chat, rest);
  const dir = await mkdtemp(join(tmpdir(), REMOTE_MEDIA_PREFIX));
  try {
    const media: OutboundMedia[] = [];
    for (const [i, m] of inline.entries()) media.push(await materialize(dir, i, m));
    return await adapter.send(chat, { ...rest, media });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function materialize(dir: string, index: number, m: InlineMedia): Promise<OutboundMedia> {
  // One directory per file, so two files of the same name keep it.
  const sub = join(dir, String(index));
  await mkdir(sub);
  const path = join(sub, safeFileName(m.fileName));
  await writeFile(path, Buffer.from(m.data, 'base64'));
  const media: OutboundMedia = { kind: m.kind, path };
  if (m.mime !== undefined) media.mime = m.mime;
  if (m.name !== undefined) media.name = m.name;
  if (m.caption !== undefined) media.caption = m.caption;
  return media;
}

/** The caller's base name, stripped of anything that could leave the temp directory. */
function safeFileName(name: unknown): string {
  const base = typeof name === 'string' ? basename(name).replace(/[^\w.\- ]/g, '_') : '';
  return base === '' || base === '.' || base === '..' ? 'media' : base.slice(0, 120);
}

function sendOutcome(result: SendResult): PlatformCallRun {
  return result.ok
    ? { ok: true, result: { messageIds: result.messageIds } }
    : { ok: false, error: callErrorOf(result.error) };
}

function callErrorOf(error: AdapterError): PlatformCallError {
  const out: PlatformCallError = { code: error.code, message: error.message, retryable: error.retryable };
  if (error.retryAfterMs !== undefined) out.retryAfterMs = error.retryAfterMs;
  if (error.fix !== undefined) out.fix = error.fix;
  return out;
}

function refused(code: string, message: string): PlatformCallRun {
  return { ok: false, error: { code, message } };
}

function unsupported(adapter: PlatformAdapter, op: string): PlatformCallRun {
  return refused('unsupported', `the ${adapter.platform} adapter has no ${op}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isChatRef(value: unknown): value is ChatRef {
  return (
    isRecord(value) &&
    typeof value['platform'] === 'string' &&
    typeof value['chatId'] === 'string' &&
    typeof value['chatType'] === 'string'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
