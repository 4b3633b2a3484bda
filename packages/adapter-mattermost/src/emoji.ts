import { emojiShortName } from '@hermes/adapter-core';

/** POST /reactions takes Mattermost's emoji names: `👀`, `:eyes:` or `eyes` → `eyes`. */
export function mattermostEmojiName(emoji: string): string {
  return emojiShortName(emoji, {
    platform: 'mattermost',
    namePattern: /^:?([a-z0-9_+-]{1,64}):?$/i,
    overrides: { '🤔': 'thinking' },
  });
}
