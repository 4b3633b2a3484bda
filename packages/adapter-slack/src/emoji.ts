import { AdapterError } from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';

/**
 * reactions.add takes Slack's emoji names, not the characters. These are the ones hosts use for progress
 * (👀 working, ✅ done, ❌ failed) and the common answers; anything else can be passed as `:name:`.
 */
const NAMES: Record<string, string> = {
  '👀': 'eyes',
  '✅': 'white_check_mark',
  '✔️': 'heavy_check_mark',
  '❌': 'x',
  '⚠️': 'warning',
  '⏳': 'hourglass_flowing_sand',
  '⌛': 'hourglass',
  '🤔': 'thinking_face',
  '👍': '+1',
  '👎': '-1',
  '👌': 'ok_hand',
  '👋': 'wave',
  '🙏': 'pray',
  '🎉': 'tada',
  '🔥': 'fire',
  '🚀': 'rocket',
  '💯': '100',
  '❤️': 'heart',
  '😂': 'joy',
  '😄': 'smile',
  '🙂': 'slightly_smiling_face',
  '😢': 'cry',
  '🔄': 'arrows_counterclockwise',
  '✍️': 'writing_hand',
  '🛑': 'octagonal_sign',
  '🧠': 'brain',
  '🔧': 'wrench',
  '📎': 'paperclip',
  '💬': 'speech_balloon',
  '⭐': 'star',
  '❓': 'question',
  '❗': 'exclamation',
};

/** `👀`, `:eyes:` or `eyes` → `eyes`. */
export function slackEmojiName(emoji: string): string {
  const trimmed = emoji.trim();
  const named = /^:?([a-z0-9_+'-]+(?:::skin-tone-\d)?):?$/i.exec(trimmed);
  if (named) return named[1]!.toLowerCase();
  const direct = NAMES[trimmed] ?? NAMES[trimmed.replace(/\uFE0F/g, '')] ?? NAMES[`${trimmed}\uFE0F`];
  if (direct) return direct;
  throw new AdapterError('unsupported', `no Slack emoji name known for "${trimmed}"`, {
    platform: SLACK_PLATFORM,
    fix: 'pass the Slack name instead, e.g. ":eyes:" or "white_check_mark"',
  });
}
