import type { ChatRef } from '@hermes/adapter-core';
import type { KvStorage } from '../state/storage.js';

/** `on`: speak replies to voice messages; `tts`: speak every reply; `off`: text only (the default). */
export type VoiceMode = 'off' | 'on' | 'tts';

/** Per chat (and thread): everyone in a group hears the same bot. */
export function voiceModeKey(chat: ChatRef): string {
  return `voice:${chat.platform}:${chat.chatId}${chat.threadId ? `:${chat.threadId}` : ''}`;
}

export async function voiceModeOf(kv: KvStorage, chat: ChatRef): Promise<VoiceMode> {
  const v = await kv.get<string>(voiceModeKey(chat));
  return v === 'on' || v === 'tts' ? v : 'off';
}

export async function setVoiceMode(kv: KvStorage, chat: ChatRef, mode: VoiceMode): Promise<void> {
  if (mode === 'off') await kv.delete(voiceModeKey(chat));
  else await kv.set(voiceModeKey(chat), mode);
}

/** Whether this reply is spoken: `tts` always, `on` when the user's message had a voice note or audio. */
export function shouldSpeak(mode: VoiceMode, heardVoice: boolean): boolean {
  return mode === 'tts' || (mode === 'on' && heardVoice);
}
