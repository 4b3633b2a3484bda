/**
 * Telegram accepts only a fixed set of emoji as reactions. The host's usual status marks are outside it,
 * so they are mapped to the nearest one it has; anything else is passed through as given.
 */
const NEAREST: Readonly<Record<string, string>> = {
  '✅': '👍',
  '✔️': '👍',
  '☑️': '👍',
  '❌': '👎',
  '⚠️': '🤔',
  '⏳': '👀',
  '🔄': '👀',
  '❤️': '❤',
};

export function telegramReactionEmoji(emoji: string): string {
  return NEAREST[emoji] ?? emoji;
}
