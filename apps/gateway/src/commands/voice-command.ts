import { describeEndpoint, voiceSettings } from '../voice/voice-config.js';
import { setVoiceMode, type VoiceMode, voiceModeOf } from '../voice/voice-mode.js';
import { describeConverter } from '../voice/voice-reply.js';
import type { CommandOutcome, CommandSpec } from './registry.js';

const reply = (text: string): CommandOutcome => ({ kind: 'reply', text });

const MODE_TEXT: Record<VoiceMode, string> = {
  off: 'off: replies are text only',
  on: 'on: replies to your voice messages are also spoken',
  tts: 'tts: every reply is also spoken',
};

/** `/voice on | off | tts | status`, per chat, kept in state.db (spec 5.6). */
export const voiceCommand: CommandSpec = {
  name: 'voice',
  summary: 'speak replies: on (to voice messages), tts (always), off, or status',
  bypass: false,
  async handle(ctx, args) {
    const word = args.trim().toLowerCase();
    const chat = ctx.msg.chat;
    if (word === 'on' || word === 'off' || word === 'tts') {
      await setVoiceMode(ctx.kv, chat, word);
      const m = ctx.model();
      const tts = voiceSettings(ctx.env, m).tts;
      const warn =
        word !== 'off' && !tts.configured
          ? '\n⚠️ No speech endpoint is configured yet: set HERMES_TTS_BASE_URL (or OPENAI_BASE_URL / OPENAI_API_KEY).'
          : '';
      return reply(`🔊 Voice ${MODE_TEXT[word]}.${warn}`);
    }
    if (word === '' || word === 'status') {
      const { stt, tts } = voiceSettings(ctx.env, ctx.model());
      return reply(
        [
          `🔊 Voice ${MODE_TEXT[await voiceModeOf(ctx.kv, chat)]}.`,
          describeEndpoint('STT', stt),
          `${describeEndpoint('TTS', tts)}${tts.configured ? `, voice \`${tts.voice}\`` : ''}`,
          describeConverter(),
          'Change with /voice on | tts | off.',
        ].join('\n'),
      );
    }
    return reply(`Unknown option "${args.trim()}". Usage: /voice on | off | tts | status`);
  },
};
