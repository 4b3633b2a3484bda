import type { ChatRef } from '@hermes/adapter-core';
import type { KvStore } from '../state/kv-store.js';

/** `on`: speak replies to voice messages; `tts`: speak every reply; `off`: text only (the default). */
export type VoiceMode = 'off' | 'on' | 'tts';

/** Per chat (and thread): everyone in a group hears the same bot. */
export function voiceModeKey(chat: ChatRef): string {
  return `voice:${chat.platform}:${chat.chatId}${chat.threadId ? `:${chat.threadId}` : ''}`;
}

export function voiceModeOf(kv: KvStore, chat: ChatRef): VoiceMode {
  const v = kv.get<string>(voiceModeKey(chat));
  return v === 'on' || v === 'tts' ? v : 'off';
}

export function setVoiceMode(kv: KvStore, chat: ChatRef, mode: VoiceMode): void {
  if (mode === 'off') kv.delete(voiceModeKey(chat));
  else kv.set(voiceModeKey(chat), mode);
}

/** Whether this reply is spoken: `tts` always, `on` when the user's message had a voice note or audio. */
export function shouldSpeak(mode: VoiceMode, heardVoice: boolean): boolean {
  return mode === 'tts' || (mode === 'on' && heardVoice);
}
