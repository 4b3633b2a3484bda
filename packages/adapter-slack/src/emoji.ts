import { emojiShortName } from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';

/** reactions.add takes Slack's emoji names: `👀`, `:eyes:` or `eyes` → `eyes` (skin tones kept). */
export function slackEmojiName(emoji: string): string {
  return emojiShortName(emoji, {
    platform: SLACK_PLATFORM,
    namePattern: /^:?([a-z0-9_+'-]+(?:::skin-tone-\d)?):?$/i,
  });
}
