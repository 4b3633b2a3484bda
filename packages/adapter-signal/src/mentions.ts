import type { SignalMention } from './envelope.js';
import { normalizeSignalUserId } from './user-id.js';

/** Who the bot is, as far as it is known: mentions name it by number, by service id, or both. */
export interface SignalSelf {
  number: string;
  uuid: string | undefined;
}

export function isSelfMention(mention: SignalMention, self: SignalSelf): boolean {
  if (mention.number !== undefined && normalizeSignalUserId(mention.number) === self.number) return true;
  if (mention.uuid !== undefined && self.uuid !== undefined) {
    return normalizeSignalUserId(mention.uuid) === normalizeSignalUserId(self.uuid);
  }
  return false;
}

export interface ResolvedMentions {
  text: string;
  mentionsSelf: boolean;
}

/**
 * Signal puts U+FFFC where a mention sits and sends who it is in `mentions` (start and length in UTF-16
 * units, which is what JavaScript string indices count). Mentions of the bot are cut out, so the agent
 * reads the request and not its own address; other people become `@<number or uuid>`. Mentions that do
 * not fit the text are left alone rather than cutting the wrong characters.
 */
export function resolveSignalMentions(
  body: string,
  mentions: readonly SignalMention[] | undefined,
  self: SignalSelf,
): ResolvedMentions {
  let mentionsSelf = false;
  if (!mentions || mentions.length === 0) return { text: body, mentionsSelf };
  const valid = mentions
    .filter((m) => Number.isInteger(m.start) && Number.isInteger(m.length) && m.start >= 0 && m.length > 0)
    .filter((m) => m.start + m.length <= body.length)
    .sort((a, b) => b.start - a.start);
  let text = body;
  let lastStart = Number.POSITIVE_INFINITY;
  for (const mention of valid) {
    // Overlapping ranges cannot both be right; keep the later one, which was applied first.
    if (mention.start + mention.length > lastStart) continue;
    lastStart = mention.start;
    const before = text.slice(0, mention.start);
    let after = text.slice(mention.start + mention.length);
    if (isSelfMention(mention, self)) {
      mentionsSelf = true;
      // "@bot please" must read "please", not " please"; a mention mid-sentence keeps one space.
      if ((before === '' || /\s$/.test(before)) && after.startsWith(' ')) after = after.slice(1);
      text = before + after;
    } else {
      const who = mention.number ?? mention.uuid ?? mention.name ?? 'someone';
      text = `${before}@${who}${after}`;
    }
  }
  return { text: mentionsSelf ? text.trim() : text, mentionsSelf };
}
