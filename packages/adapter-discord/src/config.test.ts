import { describe, expect, it } from 'vitest';
import { discordConfigFromEnv, parseDiscordConfig } from './config.js';

describe('discordConfigFromEnv', () => {
  it('reads the Hermes env names with their defaults', () => {
    const config = discordConfigFromEnv({
      DISCORD_BOT_TOKEN: ' Bot abc.def.ghi ',
      DISCORD_ALLOWED_USERS: '111, 222',
      DISCORD_HOME_CHANNEL: '333',
      DISCORD_FREE_RESPONSE_CHANNELS: '444',
      DISCORD_ALLOWED_ROLES: 'admin,555',
    });
    expect(config.token).toBe('abc.def.ghi');
    expect(config.allowedUsers).toEqual(['111', '222']);
    expect(config.homeChannel).toBe('333');
    expect(config.freeResponseChannels).toEqual(['444']);
    expect(config.allowedRoles).toEqual(['admin', '555']);
    expect(config.requireMention).toBe(true);
    expect(config.autoThread).toBe(true);
    expect(config.ignoreNoMention).toBe(true);
    expect(config.allowBots).toBe('none');
    expect(config.allowMentions).toEqual({ everyone: false, roles: false, users: true, repliedUser: true });
    expect(config.apiBase).toBe('https://discord.com/api');
    expect(config.mediaAllowPrivate).toBe(false);
  });

  it('flags, bot policy and mention switches from the env', () => {
    const config = discordConfigFromEnv({
      DISCORD_BOT_TOKEN: 't',
      DISCORD_REQUIRE_MENTION: 'false',
      DISCORD_AUTO_THREAD: '0',
      DISCORD_IGNORE_NO_MENTION: 'no',
      DISCORD_ALLOW_BOTS: 'Mentions',
      DISCORD_ALLOW_MENTION_EVERYONE: 'true',
      DISCORD_ALLOW_MENTION_REPLIED_USER: 'false',
      HERMES_MEDIA_ALLOW_PRIVATE: 'true',
    });
    expect(config).toMatchObject({
      requireMention: false,
      autoThread: false,
      ignoreNoMention: false,
      allowBots: 'mentions',
      mediaAllowPrivate: true,
    });
    expect(config.allowMentions).toEqual({ everyone: true, roles: false, users: true, repliedUser: false });
  });

  it('DISCORD_API_BASE is normalised (no trailing slash or version: discord.js adds /v10)', () => {
    for (const raw of ['http://127.0.0.1:9/api', 'http://127.0.0.1:9/api/', 'http://127.0.0.1:9/api/v10']) {
      expect(discordConfigFromEnv({ DISCORD_BOT_TOKEN: 't', DISCORD_API_BASE: raw }).apiBase).toBe(
        'http://127.0.0.1:9/api',
      );
    }
  });

  it('config.yaml platforms.discord (snake case, extra block) under the env', () => {
    const config = discordConfigFromEnv(
      { DISCORD_BOT_TOKEN: 'from-env', DISCORD_IGNORED_CHANNELS: '9' },
      {
        token: 'from-file',
        require_mention: false,
        ignored_channels: [1, 2],
        extra: {
          auto_thread: false,
          auto_archive_duration: 60,
          allowed_channels: '7,8',
          allow_mentions: { roles: true },
        },
      },
    );
    expect(config.token).toBe('from-env');
    expect(config.requireMention).toBe(false);
    expect(config.ignoredChannels).toEqual(['9']);
    expect(config.autoThread).toBe(false);
    expect(config.autoArchiveMinutes).toBe(60);
    expect(config.allowedChannels).toEqual(['7', '8']);
    expect(config.allowMentions.roles).toBe(true);
  });

  it('a missing token is a config_invalid error with the fix', () => {
    expect(() => discordConfigFromEnv({})).toThrow(
      expect.objectContaining({ code: 'config_invalid', fix: expect.stringMatching(/Developer Portal/) }),
    );
  });

  it('a flag that is not true/false names the variable', () => {
    expect(() => discordConfigFromEnv({ DISCORD_BOT_TOKEN: 't', DISCORD_AUTO_THREAD: 'sometimes' })).toThrow(
      /DISCORD_AUTO_THREAD must be true or false/,
    );
  });

  it('bad values name the key', () => {
    expect(() => parseDiscordConfig({ token: 't', autoArchiveMinutes: 30 })).toThrow(
      /autoArchiveMinutes: must be one of 60, 1440, 4320, 10080/,
    );
    expect(() => parseDiscordConfig({ token: 't', apiBase: 'discord.com' })).toThrow(/apiBase/);
    expect(() => parseDiscordConfig({ token: 't', allowBots: 'some' })).toThrow(/allowBots/);
  });
});
