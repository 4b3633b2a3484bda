import { describe, expect, it } from 'vitest';
import { DiscordAdapter } from './adapter.js';
import { discordDescriptor } from './descriptor.js';

describe('discordDescriptor', () => {
  it('is what the gateway catalog expects', () => {
    expect(discordDescriptor.platform).toBe('discord');
    expect(discordDescriptor.requiredEnv).toEqual(['DISCORD_BOT_TOKEN']);
    expect(discordDescriptor.secretEnv).toEqual(['DISCORD_BOT_TOKEN']);
    expect(discordDescriptor.allowedUsersEnv).toBe('DISCORD_ALLOWED_USERS');
    expect(discordDescriptor.allowAllUsersEnv).toBe('DISCORD_ALLOW_ALL_USERS');
    expect(discordDescriptor.homeChannelEnv).toBe('DISCORD_HOME_CHANNEL');
    expect(discordDescriptor.optionalEnv).toContain('DISCORD_API_BASE');
    expect(discordDescriptor.setupHelp).toMatch(/Message Content Intent/);
  });

  it('builds an adapter from the env', () => {
    const config = discordDescriptor.configFromEnv({ DISCORD_BOT_TOKEN: 't' });
    const adapter = discordDescriptor.createAdapter(config);
    expect(adapter).toBeInstanceOf(DiscordAdapter);
    expect(adapter.capabilities).toMatchObject({
      maxMessageLength: 2000,
      lengthUnit: 'char',
      markdown: 'markdown',
      threads: true,
    });
    expect(discordDescriptor.configSchema.safeParse(config).success).toBe(true);
  });
});
