import { describe, expect, it } from 'vitest';
import { discordDescriptor } from './descriptor.js';
import { normalizeDiscordUserId } from './user-id.js';

describe('normalizeDiscordUserId', () => {
  it('reduces mentions and user: targets to the bare id', () => {
    expect(normalizeDiscordUserId('<@123456789012345678>')).toBe('123456789012345678');
    expect(normalizeDiscordUserId('<@!123456789012345678>')).toBe('123456789012345678');
    expect(normalizeDiscordUserId('user:123456789012345678')).toBe('123456789012345678');
    expect(normalizeDiscordUserId('  User:<@!42> ')).toBe('42');
    expect(normalizeDiscordUserId(' 42 ')).toBe('42');
  });

  it('leaves other forms alone (role mentions, channels, names)', () => {
    expect(normalizeDiscordUserId('<@&42>')).toBe('<@&42>');
    expect(normalizeDiscordUserId('<#42>')).toBe('<#42>');
    expect(normalizeDiscordUserId('alice')).toBe('alice');
    expect(normalizeDiscordUserId('<@abc>')).toBe('<@abc>');
  });

  it('is what the descriptor gives the host', () => {
    expect(discordDescriptor.normalizeUserId?.('<@!7>')).toBe('7');
  });
});
