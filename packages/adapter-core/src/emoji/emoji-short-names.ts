import { AdapterError } from '../errors.js';

/**
 * Emoji short names as Slack, Mattermost and other chat apps spell them (their reaction APIs take the
 * name, not the character): the ones hosts use for progress (👀 working, ✅ done, ❌ failed) and common
 * answers. Platforms whose names differ pass `overrides`.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
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

export interface EmojiShortNameOptions {
  platform: string;
  /** What a name the platform accepts looks like (`:eyes:` or `eyes` is matched and returned bare). */
  namePattern: RegExp;
  /** Where the platform's name differs from the common one (Mattermost: 🤔 → `thinking`). */
  overrides?: Readonly<Record<string, string>>;
}

/** `👀`, `:eyes:` or `eyes` → `eyes`; throws `unsupported` naming the platform for an emoji it has no name for. */
export function emojiShortName(emoji: string, o: EmojiShortNameOptions): string {
  const trimmed = emoji.trim();
  const named = o.namePattern.exec(trimmed);
  if (named?.[1]) return named[1].toLowerCase();
  const lookup = (key: string) => o.overrides?.[key] ?? SHORT_NAMES[key];
  const direct = lookup(trimmed) ?? lookup(trimmed.replace(/\uFE0F/g, '')) ?? lookup(`${trimmed}\uFE0F`);
  if (direct) return direct;
  throw new AdapterError('unsupported', `no ${o.platform} emoji name known for "${trimmed}"`, {
    platform: o.platform,
    fix: 'pass the emoji name instead, e.g. ":eyes:" or "white_check_mark"',
  });
}
