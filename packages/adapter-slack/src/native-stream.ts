import {
  AdapterError,
  type Logger,
  type NativeReplyStream,
  type SendPacer,
  type SendResult,
  type StartStreamResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';
import { resultString, type SlackCall } from './web-api.js';

/** chat.startStream / appendStream / stopStream take at most this much markdown_text per call. */
export const SLACK_STREAM_TEXT_LIMIT = 12_000;

/** Refusals that mean "this workspace, app or chat cannot stream": the host then streams by editing. */
const REFUSAL_CODES = new Set(['bad_request', 'forbidden', 'not_found', 'unsupported', 'protocol']);

export interface SlackStreamDeps {
  call: SlackCall;
  pacer: SendPacer;
  logger: Logger;
  /** Replaces the whole text of the streamed message (used once the stream can no longer append). */
  edit(ts: string, text: string): Promise<SendResult>;
  /** Slack confirmed a call (liveness). */
  onSent(): void;
}

export interface SlackStreamTarget {
  channel: string;
  threadTs: string;
  /** Required by Slack outside DMs. */
  recipientUserId?: string;
  recipientTeamId?: string;
}

function failed(error: unknown): SendResult {
  return { ok: false, error: toAdapterError(error, SLACK_PLATFORM) };
}

/** Slices by code point so no surrogate pair is cut in two. */
function pieces(text: string): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += SLACK_STREAM_TEXT_LIMIT)
    out.push(chars.slice(i, i + SLACK_STREAM_TEXT_LIMIT).join(''));
  return out;
}

/**
 * Opens a Slack native stream (chat.startStream) in a thread and returns the host's view of it. Slack
 * wants deltas, the host gives the whole text so far: only the new suffix is appended. When the text no
 * longer extends what was streamed (the model rewrote it) or an append failed without a clear answer
 * (it may have landed), appending could repeat text, so the stream is stopped and the message is edited
 * to the whole text from then on. Either way the streamed message is the reply: there is never a second.
 */
export async function startSlackStream(
  deps: SlackStreamDeps,
  target: SlackStreamTarget,
): Promise<StartStreamResult> {
  const { channel } = target;
  const args: Record<string, unknown> = { channel, thread_ts: target.threadTs };
  if (target.recipientUserId) args['recipient_user_id'] = target.recipientUserId;
  if (target.recipientTeamId) args['recipient_team_id'] = target.recipientTeamId;
  let ts: string | undefined;
  try {
    const result = await deps.pacer.run(channel, () => deps.call('chat.startStream', args));
    ts = resultString(result, 'ts');
    if (!ts)
      throw new AdapterError('protocol', 'chat.startStream answered ok without a ts', {
        platform: SLACK_PLATFORM,
      });
  } catch (error) {
    const cause = toAdapterError(error, SLACK_PLATFORM);
    if (!REFUSAL_CODES.has(cause.code)) return { ok: false, error: cause };
    return {
      ok: false,
      error: new AdapterError('unsupported', `Slack refused a native stream: ${cause.message}`, {
        platform: SLACK_PLATFORM,
        cause,
        retryable: false,
        fix: 'turn on "Agents & AI Apps" for the Slack app to stream natively; replies are streamed by editing meanwhile',
      }),
    };
  }
  deps.onSent();
  return { ok: true, stream: new SlackNativeStream(deps, channel, ts) };
}

type Mode = 'streaming' | 'editing' | 'done';

class SlackNativeStream implements NativeReplyStream {
  readonly #deps: SlackStreamDeps;
  readonly #channel: string;
  readonly #ts: string;
  #mode: Mode = 'streaming';
  /** chat.stopStream not yet sent. */
  #open = true;
  /** Text Slack confirmed as appended. */
  #sent = '';
  /** The whole text as the host last gave it. */
  #latest = '';
  /** One call at a time, in order: deltas computed against a call still in flight would repeat text. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: SlackStreamDeps, channel: string, ts: string) {
    this.#deps = deps;
    this.#channel = channel;
    this.#ts = ts;
  }

  update(textSoFar: string): Promise<SendResult> {
    return this.#serial(async () => {
      if (this.#mode === 'done') return this.#finished();
      this.#latest = textSoFar;
      if (this.#mode === 'streaming' && textSoFar.startsWith(this.#sent)) {
        const delta = textSoFar.slice(this.#sent.length);
        for (const piece of pieces(delta)) {
          await this.#api('chat.appendStream', { markdown_text: piece });
          this.#sent += piece;
        }
        return this.#ok();
      }
      await this.#switchToEditing();
      return this.#deps.edit(this.#ts, textSoFar);
    });
  }

  finish(finalText: string): Promise<SendResult> {
    return this.#serial(async () => {
      if (this.#mode === 'done') return this.#finished();
      this.#latest = finalText;
      if (this.#mode === 'streaming' && finalText.startsWith(this.#sent)) {
        const rest = pieces(finalText.slice(this.#sent.length));
        const last = rest.pop();
        for (const piece of rest) {
          await this.#api('chat.appendStream', { markdown_text: piece });
          this.#sent += piece;
        }
        this.#open = false;
        this.#mode = 'done';
        await this.#api('chat.stopStream', last ? { markdown_text: last } : {});
        return this.#ok();
      }
      await this.#switchToEditing();
      this.#mode = 'done';
      return this.#deps.edit(this.#ts, finalText);
    });
  }

  abort(note: string): Promise<SendResult> {
    return this.#serial(async () => {
      if (this.#mode === 'done') return this.#finished();
      const suffix = `${this.#latest ? '\n\n' : ''}${note}`;
      if (this.#mode === 'streaming' && this.#latest === this.#sent) {
        this.#open = false;
        this.#mode = 'done';
        await this.#api('chat.stopStream', { markdown_text: pieces(suffix)[0] ?? '' });
        return this.#ok();
      }
      await this.#switchToEditing();
      this.#mode = 'done';
      return this.#deps.edit(this.#ts, `${this.#latest}${suffix}`);
    });
  }

  async #switchToEditing(): Promise<void> {
    this.#mode = 'editing';
    if (!this.#open) return;
    this.#open = false;
    try {
      await this.#api('chat.stopStream', {});
    } catch (error) {
      // Slack ends an idle stream on its own; the edit below is what matters.
      this.#deps.logger.debug('slack: chat.stopStream failed before switching to edits', {
        error: toAdapterError(error).message,
      });
    }
  }

  async #api(method: string, extra: Record<string, unknown>): Promise<void> {
    try {
      await this.#deps.pacer.run(this.#channel, () =>
        this.#deps.call(method, { channel: this.#channel, ts: this.#ts, ...extra }),
      );
    } catch (error) {
      // Whether the text landed is unknown: only a whole-text edit is safe from now on.
      if (method === 'chat.appendStream') this.#mode = 'editing';
      throw error;
    }
    this.#deps.onSent();
  }

  #serial(job: () => Promise<SendResult>): Promise<SendResult> {
    const run = this.#queue.then(job).catch((error: unknown) => failed(error));
    this.#queue = run;
    return run;
  }

  #ok(): SendResult {
    return { ok: true, messageIds: [this.#ts] };
  }

  #finished(): SendResult {
    return failed(
      new AdapterError('bad_request', 'this Slack stream is already finished', {
        platform: SLACK_PLATFORM,
        retryable: false,
        fix: 'call finish() or abort() once, and update() only before it',
      }),
    );
  }
}
