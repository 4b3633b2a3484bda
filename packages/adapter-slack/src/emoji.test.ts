import { describe, expect, it } from 'vitest';
import { slackEmojiName } from './emoji.js';

describe('slackEmojiName', () => {
  it('maps the characters hosts use and passes names through', () => {
    expect(slackEmojiName('👀')).toBe('eyes');
    expect(slackEmojiName('✅')).toBe('white_check_mark');
    expect(slackEmojiName('❌')).toBe('x');
    expect(slackEmojiName('⚠')).toBe('warning');
    expect(slackEmojiName(':tada:')).toBe('tada');
    expect(slackEmojiName('+1')).toBe('+1');
    expect(slackEmojiName(':wave::skin-tone-3:')).toBe('wave::skin-tone-3');
  });

  it('an unknown character is an unsupported error with a fix', () => {
    expect(() => slackEmojiName('🦜')).toThrow(
      expect.objectContaining({ code: 'unsupported', fix: expect.stringContaining(':eyes:') }),
    );
  });
});
