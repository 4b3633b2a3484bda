/**
 * Feishu reactions take an `emoji_type` name, not a Unicode emoji. The host's processing and outcome
 * emojis map to the Python adapter's choices (Typing while working, CrossMark on failure); a name that
 * already looks like an emoji_type passes through; anything else becomes THUMBSUP.
 */
const EMOJI_TYPES: Record<string, string> = {
  '👀': 'GLANCE',
  '⏳': 'Typing',
  '⌛': 'Typing',
  '✍️': 'Typing',
  '🤔': 'THINKING',
  '✅': 'DONE',
  '✔️': 'CheckMark',
  '❌': 'CrossMark',
  '⚠️': 'CrossMark',
  '👍': 'THUMBSUP',
  '👎': 'ThumbsDown',
  '🔥': 'Fire',
  '❤️': 'HEART',
  '🎉': 'PARTY',
  '🙏': 'THANKS',
  '👏': 'APPLAUSE',
  '💯': 'Hundred',
  '😂': 'LAUGH',
  '😄': 'SMILE',
};

export function feishuEmojiType(emoji: string): string {
  const trimmed = emoji.trim();
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(trimmed)) return trimmed;
  return EMOJI_TYPES[trimmed] ?? EMOJI_TYPES[trimmed.replace(/\uFE0F/g, '')] ?? 'THUMBSUP';
}
