import { describe, expect, it } from 'vitest';
import { stripBotMentions, textMentionsUser } from './mentions.js';

const BOT = '1200000000000000001';

describe('stripBotMentions', () => {
  it('removes both mention forms and the bot role, collapsing the gap', () => {
    expect(stripBotMentions(`<@${BOT}> hello`, BOT)).toBe('hello');
    expect(stripBotMentions(`hey <@!${BOT}>   there`, BOT)).toBe('hey there');
    expect(stripBotMentions(`<@&99> ask`, BOT, ['99'])).toBe('ask');
    expect(stripBotMentions(`<@${BOT}>`, BOT)).toBe('');
  });

  it('leaves other people and lookalike ids alone', () => {
    expect(stripBotMentions(`<@${BOT}1> hi <@222>`, BOT)).toBe(`<@${BOT}1> hi <@222>`);
    expect(stripBotMentions(`<@&${BOT}> role with the same id`, BOT)).toBe(
      `<@&${BOT}> role with the same id`,
    );
  });

  it('trims a text without any mention, as it does one with', () => {
    expect(stripBotMentions('  just asking <@ here  ', BOT)).toBe('just asking <@ here');
    expect(stripBotMentions(' \t no mention\n', BOT, ['99'])).toBe('no mention');
  });

  it('textMentionsUser', () => {
    expect(textMentionsUser(`x <@!${BOT}>`, BOT)).toBe(true);
    expect(textMentionsUser(`x <@${BOT}0>`, BOT)).toBe(false);
    expect(textMentionsUser(`<@${BOT}>`, BOT)).toBe(true);
    expect(textMentionsUser(`<@!!${BOT}> <@&${BOT}> @${BOT}`, BOT)).toBe(false);
  });
});
