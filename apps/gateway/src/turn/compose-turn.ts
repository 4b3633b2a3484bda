import type { Attachment, InboundMessage, Logger } from '@hermes/adapter-core';
import type { VoiceResult } from '../voice/voice-errors.js';

export interface PendingInput {
  msg: InboundMessage;
  /** Inbound journal rows this input finishes when its turn is done. */
  journalIds: number[];
  /** Replaces msg.text (commands that run the agent: /retry, /new <text>, /queue <text>). */
  text?: string;
}

/** Speech to text for one fetched voice note or audio file. */
export type Transcriber = (path: string, attachment: Attachment) => Promise<VoiceResult<string>>;

export interface ComposeOptions {
  shared: boolean;
  logger: Logger;
  /** Without it voice notes reach the agent as saved files only (steering, tests). */
  transcribe?: Transcriber;
}

export interface ComposedTurn {
  /** The user text the agent sees. */
  text: string;
  /** One line each for the user, sent before the turn (a transcription that failed). */
  notices: string[];
  /** A voice note or audio file came in: `/voice on` speaks the reply to it. */
  heardVoice: boolean;
}

const KIND_WORDS: Record<string, string> = {
  image: 'an image',
  audio: 'an audio file',
  voice: 'a voice message',
  video: 'a video',
  file: 'a document',
  sticker: 'a sticker',
};

const isSpeech = (a: Attachment) => a.kind === 'voice' || a.kind === 'audio';

/**
 * Everything that arrived for one turn, as the user text the agent sees (spec 1.9 "enrich"): the texts in
 * order joined with newlines, a note with the cached path of each attachment, the quoted message when
 * replying, and `[sender]` prefixes where a session is shared by several people.
 */
export async function composeUserText(items: PendingInput[], options: ComposeOptions): Promise<string> {
  return (await composeTurnInput(items, options)).text;
}

/**
 * composeUserText plus speech (spec 5.6): voice notes and audio files are transcribed and the agent sees
 * the transcript marked as such; one that cannot be transcribed becomes a note to the agent and one line
 * to the user, and the turn goes on with what text there is.
 */
export async function composeTurnInput(
  items: PendingInput[],
  options: ComposeOptions,
): Promise<ComposedTurn> {
  const parts: string[] = [];
  const failures: string[] = [];
  let heardVoice = false;
  for (const item of items) {
    const { msg } = item;
    const who = options.shared ? `[${msg.sender.name ?? msg.sender.id}] ` : '';
    const lines: string[] = [];
    if (msg.replyTo?.text) lines.push(`[Replying to: "${msg.replyTo.text.slice(0, 500)}"]`);
    // Words the platform already transcribed come labelled as heard; they are also the message text.
    let platformHeard: string | undefined;
    for (const a of msg.attachments) {
      const what = `${KIND_WORDS[a.kind] ?? 'a file'}${a.name ? ` "${a.name}"` : ''}`;
      if (isSpeech(a)) heardVoice = true;
      if (isSpeech(a) && a.transcript !== undefined) {
        platformHeard = a.transcript.trim();
        lines.push(`${who}[Voice message transcript] ${platformHeard}`);
        continue;
      }
      let path: string;
      try {
        path = await a.fetch();
      } catch (err) {
        options.logger.warn('attachment could not be fetched', {
          kind: a.kind,
          error: (err as Error).message,
        });
        lines.push(
          `[The user sent ${KIND_WORDS[a.kind] ?? 'a file'}, but it could not be downloaded: ${(err as Error).message}]`,
        );
        if (isSpeech(a) && options.transcribe) failures.push('it could not be downloaded');
        continue;
      }
      if (!isSpeech(a) || !options.transcribe) {
        lines.push(`[The user sent ${what}, saved at ${path}]`);
        continue;
      }
      const heard = await options.transcribe(path, a);
      if (heard.ok) {
        if (a.kind === 'audio') lines.push(`[The user sent ${what}, saved at ${path}]`);
        const label = a.kind === 'voice' ? 'Voice message transcript' : 'Audio file transcript';
        lines.push(`${who}[${label}] ${heard.value}`);
      } else {
        options.logger.warn('voice message not transcribed', { kind: a.kind, code: heard.error.code });
        lines.push(
          `[The user sent ${what}, saved at ${path}; it could not be transcribed: ${heard.error.message}]`,
        );
        failures.push(heard.error.message);
      }
    }
    const text = item.text ?? msg.text;
    if (text && text.trim() !== platformHeard) lines.push(`${who}${text}`);
    if (lines.length) parts.push(lines.join('\n'));
  }
  return { text: parts.join('\n'), notices: failureNotice(failures), heardVoice };
}

function failureNotice(failures: string[]): string[] {
  if (failures.length === 0) return [];
  const reasons = [...new Set(failures)].join('; ');
  const what = failures.length === 1 ? 'your voice message' : `${failures.length} voice messages`;
  return [`🎤 I couldn't transcribe ${what}: ${reasons}. I'm answering the text I have.`];
}
