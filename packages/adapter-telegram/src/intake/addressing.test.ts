import { describe, expect, it } from 'vitest';
import { addressingOf, isTopicRoot } from './addressing.js';
import { gateGroupMessage } from './gate.js';
import { type TelegramMessage, telegramMessageSchema } from './parse-update.js';

const bot = { id: 99, username: 'HermesBot', firstName: 'Hermes' };

function message(fields: Record<string, unknown>): TelegramMessage {
  return telegramMessageSchema.parse({
    message_id: 5,
    date: 0,
    chat: { id: -1, type: 'supergroup' },
    from: { id: 1, is_bot: false },
    ...fields,
  });
}

describe('addressingOf', () => {
  it('matches @username case-insensitively and strips it with its punctuation', () => {
    const a = addressingOf(
      message({ text: '@hermesbot, what now?', entities: [{ type: 'mention', offset: 0, length: 10 }] }),
      bot,
      [],
    );
    expect(a).toEqual({ mentionsBot: true, isCommand: false, commandForOtherBot: false, text: 'what now?' });
  });

  it('leaves mentions of other people alone', () => {
    const a = addressingOf(
      message({ text: 'ping @alice', entities: [{ type: 'mention', offset: 5, length: 6 }] }),
      bot,
      [],
    );
    expect(a).toMatchObject({ mentionsBot: false, text: 'ping @alice' });
  });

  it('handles commands: /cmd, /cmd@thisbot, /cmd@otherbot', () => {
    const cmd = (text: string, length: number) =>
      message({ text, entities: [{ type: 'bot_command', offset: 0, length }] });
    expect(addressingOf(cmd('/new', 4), bot, [])).toMatchObject({
      isCommand: true,
      mentionsBot: false,
      text: '/new',
    });
    expect(addressingOf(cmd('/new@HermesBot now', 14), bot, [])).toMatchObject({
      isCommand: true,
      mentionsBot: true,
      text: '/new now',
    });
    expect(addressingOf(cmd('/new@OtherBot', 13), bot, [])).toMatchObject({
      isCommand: true,
      commandForOtherBot: true,
    });
  });

  it('a reply to the bot counts, the topic root of a forum does not', () => {
    const reply = message({
      text: 'sure',
      reply_to_message: {
        message_id: 3,
        date: 0,
        chat: { id: -1, type: 'supergroup' },
        from: { id: 99, is_bot: true },
      },
    });
    expect(addressingOf(reply, bot, []).mentionsBot).toBe(true);
    const inTopic = message({
      text: 'hello',
      is_topic_message: true,
      message_thread_id: 3,
      reply_to_message: {
        message_id: 3,
        date: 0,
        chat: { id: -1, type: 'supergroup' },
        from: { id: 99, is_bot: true },
        forum_topic_created: {},
      },
    });
    expect(isTopicRoot(inTopic)).toBe(true);
    expect(addressingOf(inTopic, bot, []).mentionsBot).toBe(false);
  });

  it('mention patterns match the text (caption too) without being stripped', () => {
    const a = addressingOf(message({ caption: 'Hermes: look at this' }), bot, [/^hermes[,:]/iu]);
    expect(a).toMatchObject({ mentionsBot: true, text: 'Hermes: look at this' });
  });
});

describe('gateGroupMessage', () => {
  const rules = { requireMention: true, groupAllowedUsers: [], groupAllowedChats: [] };
  const plain = { mentionsBot: false, isCommand: false, commandForOtherBot: false, text: 'x' };
  it('requires a mention or a command when asked to', () => {
    expect(gateGroupMessage({ chatId: '-1', senderId: '1' }, plain, rules).pass).toBe(false);
    expect(gateGroupMessage({ chatId: '-1', senderId: '1' }, { ...plain, isCommand: true }, rules).pass).toBe(
      true,
    );
    expect(
      gateGroupMessage({ chatId: '-1', senderId: '1' }, { ...plain, mentionsBot: true }, rules).pass,
    ).toBe(true);
  });
  it('applies the allowlists, `*` included', () => {
    const allow = { ...rules, requireMention: false, groupAllowedUsers: ['Alice'], groupAllowedChats: ['*'] };
    expect(
      gateGroupMessage({ chatId: '-1', senderId: '7', senderUsername: 'alice' }, plain, allow).pass,
    ).toBe(true);
    expect(gateGroupMessage({ chatId: '-1', senderId: '8', senderUsername: 'bob' }, plain, allow)).toEqual({
      pass: false,
      reason: 'sender not in TELEGRAM_GROUP_ALLOWED_USERS',
    });
  });
});
