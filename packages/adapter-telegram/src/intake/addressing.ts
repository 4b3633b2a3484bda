import type { TelegramBotIdentity } from '../api/results.js';
import type { TelegramEntity, TelegramMessage } from './parse-update.js';

/** How a message addresses the bot, and its text with the bot's mention taken out. */
export interface TelegramAddressing {
  /** @botname, a text mention of the bot, `/cmd@botname`, a reply to the bot, or a mention pattern. */
  mentionsBot: boolean;
  /** The message starts with a bot command (`/cmd` or `/cmd@somebot`). */
  isCommand: boolean;
  /** `/cmd@otherbot`: meant for another bot in the same group. */
  commandForOtherBot: boolean;
  text: string;
}

interface Span {
  start: number;
  end: number;
  /** What the span becomes: '' for a mention, the bare command for `/cmd@bot`. */
  replacement: string;
}

/** In a forum, every topic message "replies" to the topic's first service message: that is not a reply. */
export function isTopicRoot(message: TelegramMessage): boolean {
  const reply = message.reply_to_message;
  return (
    reply !== undefined &&
    (reply.forum_topic_created !== undefined ||
      (message.is_topic_message === true && reply.message_id === message.message_thread_id))
  );
}

function sameUsername(a: string, b: string): boolean {
  return a.replace(/^@/, '').toLowerCase() === b.replace(/^@/, '').toLowerCase();
}

/** Entity offsets are UTF-16 code units, which is exactly how JavaScript indexes strings. */
function spansOf(text: string, entities: readonly TelegramEntity[], bot: TelegramBotIdentity) {
  const spans: Span[] = [];
  let mentioned = false;
  let isCommand = false;
  let commandForOtherBot = false;
  for (const e of entities) {
    const piece = text.slice(e.offset, e.offset + e.length);
    if (e.type === 'mention' && sameUsername(piece, bot.username)) {
      mentioned = true;
      spans.push({ start: e.offset, end: e.offset + e.length, replacement: '' });
    } else if (e.type === 'text_mention' && e.user?.id === bot.id) {
      mentioned = true;
      spans.push({ start: e.offset, end: e.offset + e.length, replacement: '' });
    } else if (e.type === 'bot_command' && e.offset === 0) {
      isCommand = true;
      const at = piece.indexOf('@');
      if (at >= 0) {
        if (sameUsername(piece.slice(at + 1), bot.username)) {
          mentioned = true;
          spans.push({ start: e.offset, end: e.offset + e.length, replacement: piece.slice(0, at) });
        } else {
          commandForOtherBot = true;
        }
      }
    }
  }
  return { spans, mentioned, isCommand, commandForOtherBot };
}

function cut(text: string, spans: Span[]): string {
  let out = text;
  for (const s of [...spans].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, s.start) + s.replacement + out.slice(s.end);
  }
  if (spans.length === 0) return out;
  // "@bot, what is X" → "what is X"; "ask @bot now" → "ask now".
  return out
    .replace(/^[\s,:;]+/, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** Works out whether a message is addressed to the bot and strips the bot's mention from its text. */
export function addressingOf(
  message: TelegramMessage,
  bot: TelegramBotIdentity,
  patterns: readonly RegExp[],
): TelegramAddressing {
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  const found = spansOf(text, entities, bot);
  const repliedToBot = !isTopicRoot(message) && message.reply_to_message?.from?.id === bot.id;
  const patternHit = patterns.some((p) => p.test(text));
  return {
    mentionsBot: found.mentioned || repliedToBot || patternHit,
    isCommand: found.isCommand,
    commandForOtherBot: found.commandForOtherBot,
    text: cut(text, found.spans),
  };
}

/** Compiles mention patterns once; they were validated with the config. */
export function compileMentionPatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, 'iu'));
}
