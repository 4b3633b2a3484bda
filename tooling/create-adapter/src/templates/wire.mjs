// @ts-check
/** src/format.ts and src/transport.ts: what the platform can do, and the wire that talks to it. */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function formatTs(n) {
  const C = n.constant;
  return `import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

/**
 * What ${n.label} supports. The conformance suite checks each flag against the methods that exist, so a
 * flag is true only once the method is implemented and works.
 * TODO(scaffold): set the length limit, the unit the platform counts in ('char', 'utf16' or 'byte') and the
 * Markdown dialect it renders from its API docs; add the media kinds once media.ts and transport.ts handle them.
 */
export const ${C}_CAPABILITIES: Capabilities = {
  maxMessageLength: 4000,
  lengthUnit: 'char',
  markdown: 'plain',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: { send: [], receive: [] },
};

/**
 * Standard Markdown in, chunks rendered to ${n.label}'s dialect and split to its limit out. Core parses once,
 * splits before rendering and never cuts inside a code fence: do not split or escape here.
 */
export function format${n.pascal}Text(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, ${C}_CAPABILITIES, format);
}
`;
}

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function transportTs(n) {
  return `import { AdapterError, type Logger, type OutboundMedia, type SupervisedConnection } from '@hermes/adapter-core';
import type { ${n.pascal}Config } from './config.js';

/**
 * The wire to ${n.label}: HTTP calls, a WebSocket, a long-poll loop or a webhook server. Only this file knows
 * URLs, headers and frame shapes; everything above it works with plain values.
 *
 * TODO(scaffold): every method below throws until it is written. Use the platform's official SDK if there is
 * a maintained one (point it at \`config.apiUrl\` so the tests can use the loopback fake), otherwise the wire
 * protocol directly with fetch / ws. Map HTTP failures with adapterErrorFromHttpStatus (it keeps
 * Retry-After), socket failures with toAdapterError, and never retry here: the supervisor reconnects and
 * the send pacer retries.
 */
export interface ${n.pascal}TransportOptions {
  config: ${n.pascal}Config;
  logger: Logger;
  /** Called with each raw inbound payload (frame, update, webhook body), in arrival order. */
  onPayload(payload: unknown): void;
}

/** One text message as the platform API takes it. */
export interface ${n.pascal}OutgoingText {
  chatId: string;
  text: string;
  replyTo?: string;
  threadId?: string;
}

/** Who the bot is: used to drop its own echoes and by probe(). */
export interface ${n.pascal}Identity {
  id: string;
  name?: string;
}

export class ${n.pascal}Transport {
  readonly #options: ${n.pascal}TransportOptions;

  constructor(options: ${n.pascal}TransportOptions) {
    this.#options = options;
  }

  /**
   * Opens one connection and resolves once it delivers events (handshake and auth done). The supervisor
   * calls it again after every drop, with backoff; \`closed\` must settle when the connection ends, with the
   * error if there was one. Credentials the platform rejects: throw AdapterError('auth_failed').
   */
  async connect(_signal: AbortSignal): Promise<SupervisedConnection> {
    throw todo('connect', \`open the connection to \${this.#options.config.apiUrl} and feed payloads to onPayload\`);
  }

  /** Sends one chunk; resolves with the platform's message id. */
  async sendText(_message: ${n.pascal}OutgoingText, _signal?: AbortSignal): Promise<{ messageId: string }> {
    throw todo('sendText', 'call the platform API that posts a message');
  }

  /** Uploads and sends one local file. */
  async sendMedia(
    _chatId: string,
    _media: OutboundMedia,
    _options: { threadId?: string },
  ): Promise<{ messageId: string }> {
    throw todo('sendMedia', 'upload the file and post it (or leave capabilities.media.send empty)');
  }

  /** Checks the credentials with one cheap authenticated call (the platform's "get me"). */
  async whoAmI(_signal?: AbortSignal): Promise<${n.pascal}Identity> {
    throw todo('whoAmI', 'call the endpoint that returns the bot account');
  }
}

function todo(method: string, what: string): AdapterError {
  return new AdapterError('unsupported', \`TODO(scaffold): ${n.pascal}Transport.\${method} is not implemented yet: \${what}\`, {
    platform: '${n.id}',
    fix: 'Implement it in src/transport.ts (docs/adding-a-platform.md, "Transport").',
  });
}
`;
}
