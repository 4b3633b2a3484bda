import { describe, expect, it } from 'vitest';
import { parseDiscordConfig } from '../config.js';
import { type DiscordMessageFacts, decideDiscordIntake } from './intake-gate.js';

const policy = (o: Record<string, unknown> = {}) => parseDiscordConfig({ token: 't', ...o });
const guild = (o: Partial<DiscordMessageFacts> = {}): DiscordMessageFacts => ({
  authorId: 'u1',
  authorIsBot: false,
  isSelf: false,
  isSystem: false,
  inGuild: true,
  channelId: 'c1',
  isThread: false,
  isBotThread: false,
  mentionsBot: false,
  mentionsOthers: false,
  roles: { ids: [], names: [] },
  canOpenThread: true,
  ...o,
});

describe('decideDiscordIntake', () => {
  it('echoes, bots and system messages never pass by default', () => {
    expect(
      decideDiscordIntake(guild({ isSelf: true, authorIsBot: true, mentionsBot: true }), policy()),
    ).toEqual({ accept: false, reason: 'echo' });
    expect(decideDiscordIntake(guild({ authorIsBot: true, mentionsBot: true }), policy())).toEqual({
      accept: false,
      reason: 'bot',
    });
    expect(decideDiscordIntake(guild({ authorIsBot: true }), policy({ allowBots: 'mentions' }))).toEqual({
      accept: false,
      reason: 'bot',
    });
    expect(
      decideDiscordIntake(
        guild({ authorIsBot: true, mentionsBot: true }),
        policy({ allowBots: 'mentions', autoThread: false }),
      ),
    ).toEqual({ accept: true, openThread: false });
    expect(decideDiscordIntake(guild({ isSystem: true, mentionsBot: true }), policy())).toEqual({
      accept: false,
      reason: 'system',
    });
  });

  it('DMs pass without a mention and never open threads', () => {
    expect(
      decideDiscordIntake(guild({ inGuild: false }), policy({ allowedChannels: ['x'], allowedRoles: ['r'] })),
    ).toEqual({ accept: true, openThread: false });
  });

  it('mention rule, free channels, bot threads', () => {
    expect(decideDiscordIntake(guild(), policy())).toEqual({ accept: false, reason: 'no-mention' });
    expect(decideDiscordIntake(guild({ mentionsBot: true }), policy())).toEqual({
      accept: true,
      openThread: true,
    });
    expect(decideDiscordIntake(guild(), policy({ freeResponseChannels: ['c1'] }))).toEqual({
      accept: true,
      openThread: false,
    });
    expect(
      decideDiscordIntake(
        guild({ isThread: true, parentId: 'c1', channelId: 't1' }),
        policy({ freeResponseChannels: ['c1'] }),
      ).accept,
    ).toBe(true);
    expect(
      decideDiscordIntake(
        guild({ isThread: true, isBotThread: true, channelId: 't1', parentId: 'c9' }),
        policy(),
      ),
    ).toEqual({ accept: true, openThread: false });
    expect(decideDiscordIntake(guild({ mentionsOthers: true }), policy({ requireMention: false }))).toEqual({
      accept: false,
      reason: 'mentions-others',
    });
    expect(
      decideDiscordIntake(
        guild({ mentionsOthers: true }),
        policy({ requireMention: false, ignoreNoMention: false }),
      ).accept,
    ).toBe(true);
  });

  it('auto-thread only on a mention in a plain text channel that is not free or excluded', () => {
    const on = policy();
    expect(decideDiscordIntake(guild({ mentionsBot: true, canOpenThread: false }), on)).toEqual({
      accept: true,
      openThread: false,
    });
    expect(
      decideDiscordIntake(guild({ mentionsBot: true, isThread: true, channelId: 't', parentId: 'c1' }), on),
    ).toEqual({ accept: true, openThread: false });
    expect(decideDiscordIntake(guild({ mentionsBot: true }), policy({ noThreadChannels: ['c1'] }))).toEqual({
      accept: true,
      openThread: false,
    });
    expect(
      decideDiscordIntake(guild({ mentionsBot: true }), policy({ freeResponseChannels: ['c1'] })),
    ).toEqual({ accept: true, openThread: false });
    expect(decideDiscordIntake(guild({ mentionsBot: true }), policy({ autoThread: false }))).toEqual({
      accept: true,
      openThread: false,
    });
  });

  it('channel and role lists', () => {
    const m = { mentionsBot: true };
    expect(decideDiscordIntake(guild(m), policy({ ignoredChannels: ['c1'] }))).toEqual({
      accept: false,
      reason: 'ignored-channel',
    });
    expect(
      decideDiscordIntake(
        guild({ ...m, isThread: true, channelId: 't', parentId: 'c1' }),
        policy({ ignoredChannels: ['c1'] }),
      ).accept,
    ).toBe(false);
    expect(decideDiscordIntake(guild(m), policy({ allowedChannels: ['c2'] }))).toEqual({
      accept: false,
      reason: 'channel-not-allowed',
    });
    expect(decideDiscordIntake(guild(m), policy({ allowedRoles: ['Mods'] }))).toEqual({
      accept: false,
      reason: 'role-not-allowed',
    });
    expect(
      decideDiscordIntake(
        guild({ ...m, roles: { ids: ['r1'], names: ['mods'] } }),
        policy({ allowedRoles: ['Mods'] }),
      ).accept,
    ).toBe(true);
    expect(
      decideDiscordIntake(
        guild({ ...m, roles: { ids: ['r1'], names: ['x'] } }),
        policy({ allowedRoles: ['r1'] }),
      ).accept,
    ).toBe(true);
    expect(
      decideDiscordIntake(guild(m), policy({ allowedRoles: ['Mods'], allowedUsers: ['u1'] })).accept,
    ).toBe(true);
  });
});
