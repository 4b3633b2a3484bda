import { join } from 'node:path';
import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';
import type { Transcriber } from '../turn/compose-turn.js';
import { transcribeFile } from './transcribe.js';
import { voiceSettings } from './voice-config.js';
import { VoiceError } from './voice-errors.js';
import { shouldSpeak, voiceModeOf } from './voice-mode.js';
import { type SpokenReply, speakReply, spokenKind } from './voice-reply.js';

/** What spoken replies and transcription need from the host. */
export type SpokenReplyDeps = Pick<
  HostRuntime,
  'adapterFor' | 'config' | 'deliverer' | 'env' | 'kv' | 'logger' | 'outbox'
>;

/** Speech to text with the gateway's current settings (read per call: /sethome-style env edits apply). */
export function transcriberFor(rt: SpokenReplyDeps): Transcriber {
  return (path, attachment) => {
    const o: { name?: string; mime?: string } = {};
    if (attachment.name) o.name = attachment.name;
    if (attachment.mime) o.mime = attachment.mime;
    return transcribeFile(voiceSettings(rt.env, rt.config.model).stt, path, o);
  };
}

async function notify(rt: SpokenReplyDeps, chat: ChatRef, line: string): Promise<void> {
  try {
    await rt.deliverer.deliverText(chat, line);
  } catch (err) {
    rt.logger.warn('voice notice not delivered', { platform: chat.platform, error: (err as Error).message });
  }
}

/**
 * After the text reply went out: speaks it when the chat's /voice mode says so, as a voice note (or an
 * audio file) through the outbox like any reply. Every failure ends in one line to the user: the text
 * already holds the whole answer, the line says why there is no audio.
 */
export async function deliverSpokenReply(
  rt: SpokenReplyDeps,
  o: { chat: ChatRef; reply: string; sessionId: string; heardVoice: boolean },
): Promise<void> {
  if (!shouldSpeak(await voiceModeOf(rt.kv, o.chat), o.heardVoice)) return;
  const { platform } = o.chat;
  const adapter = rt.adapterFor(platform);
  if (!spokenKind(adapter, 'voice')) {
    await notify(
      rt,
      o.chat,
      `🔇 I can't send audio on ${platform}, so this reply is text only (/voice off stops this note).`,
    );
    return;
  }
  let spoken: SpokenReply;
  try {
    spoken = await speakReply({
      settings: voiceSettings(rt.env, rt.config.model).tts,
      text: o.reply,
      dir: join(rt.config.paths.cacheDir, 'voice'),
      logger: rt.logger.child({ component: 'voice' }),
    });
  } catch (err) {
    // Disk trouble writing the audio: still one line, never silence.
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    spoken = {
      kind: 'failed',
      error: new VoiceError('unreadable', `the audio could not be saved (${code})`),
    };
  }
  if (spoken.kind === 'nothing-to-say') {
    rt.logger.info('reply not spoken: nothing in it to read aloud (code or media only)', { platform });
    return;
  }
  if (spoken.kind === 'failed') {
    rt.logger.warn('reply not spoken', { platform, code: spoken.error.code, error: spoken.error.message });
    await notify(rt, o.chat, `🔇 I couldn't speak this reply: ${spoken.error.message}.`);
    return;
  }
  const media = { ...spoken.media, kind: spokenKind(adapter, spoken.media.kind) ?? spoken.media.kind };
  const message: OutboundMessage = { media: [media] };
  if (o.chat.threadId) message.threadId = o.chat.threadId;
  const ids = await rt.outbox.enqueue(o.chat, [message], o.sessionId);
  const report = await rt.deliverer.sendEntries(ids);
  if (report.failed > 0)
    await notify(rt, o.chat, `🔇 The spoken reply could not be sent; the text above is the whole answer.`);
}
