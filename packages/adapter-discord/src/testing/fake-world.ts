/** Channel types the fake knows, with Discord's numbers. */
export const FakeChannelType = {
  GuildText: 0,
  DM: 1,
  GuildAnnouncement: 5,
  PublicThread: 11,
  PrivateThread: 12,
} as const;

export interface FakeUser {
  id: string;
  username: string;
  globalName?: string;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  position: number;
  /** The bot's managed role carries tags.bot_id. */
  botId?: string;
}

export interface FakeChannel {
  id: string;
  type: number;
  name?: string;
  guildId?: string;
  /** Threads: the channel they belong to. */
  parentId?: string;
  /** Threads: who opened it. */
  ownerId?: string;
  /** DMs: the other person. */
  recipientId?: string;
  autoArchiveMinutes?: number;
}

/** Fixed ids of the default world, so tests and docs can name them. */
export const FAKE_DISCORD_IDS = {
  bot: '1200000000000000001',
  guild: '1200000000000000100',
  users: { alice: '1200000000000000201', bob: '1200000000000000202', otherBot: '1200000000000000203' },
  roles: { member: '1200000000000000301', admin: '1200000000000000302', botRole: '1200000000000000303' },
  channels: {
    general: '1200000000000000401',
    random: '1200000000000000402',
    help: '1200000000000000403',
    news: '1200000000000000404',
  },
  threads: { botThread: '1200000000000000501', userThread: '1200000000000000502' },
  dms: { alice: '1200000000000000601', bob: '1200000000000000602' },
} as const;

export type FakeDiscordIds = typeof FAKE_DISCORD_IDS;

/**
 * What the fake Discord knows: the bot, people, one server with roles, text channels and threads, and
 * a DM channel per person. Tests add more with the add* methods.
 */
export class FakeWorld {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly roles = new Map<string, FakeRole>();
  /** user id → role ids in the server. */
  readonly memberRoles = new Map<string, string[]>();
  readonly guildId: string = FAKE_DISCORD_IDS.guild;
  readonly guildName = 'Hermes Test Server';
  readonly botId: string;

  constructor(botName = 'hermes') {
    const ids = FAKE_DISCORD_IDS;
    this.botId = ids.bot;
    this.addUser({ id: ids.bot, username: botName, bot: true });
    this.addUser({ id: ids.users.alice, username: 'alice', globalName: 'Alice' });
    this.addUser({ id: ids.users.bob, username: 'bob', globalName: 'Bob' });
    this.addUser({ id: ids.users.otherBot, username: 'otherbot', bot: true });
    this.roles.set(ids.guild, { id: ids.guild, name: '@everyone', position: 0 });
    this.roles.set(ids.roles.member, { id: ids.roles.member, name: 'member', position: 1 });
    this.roles.set(ids.roles.admin, { id: ids.roles.admin, name: 'admin', position: 2 });
    this.roles.set(ids.roles.botRole, { id: ids.roles.botRole, name: botName, position: 3, botId: ids.bot });
    this.memberRoles.set(ids.bot, [ids.roles.botRole]);
    this.memberRoles.set(ids.users.alice, [ids.roles.member]);
    this.memberRoles.set(ids.users.bob, []);
    this.memberRoles.set(ids.users.otherBot, []);
    const text = (id: string, name: string, type: number = FakeChannelType.GuildText) =>
      this.channels.set(id, { id, type, name, guildId: ids.guild });
    text(ids.channels.general, 'general');
    text(ids.channels.random, 'random');
    text(ids.channels.help, 'help');
    text(ids.channels.news, 'news', FakeChannelType.GuildAnnouncement);
    this.addThread({
      id: ids.threads.botThread,
      parentId: ids.channels.general,
      ownerId: ids.bot,
      name: 'hermes thread',
    });
    this.addThread({
      id: ids.threads.userThread,
      parentId: ids.channels.general,
      ownerId: ids.users.alice,
      name: 'alice thread',
    });
    this.channels.set(ids.dms.alice, {
      id: ids.dms.alice,
      type: FakeChannelType.DM,
      recipientId: ids.users.alice,
    });
    this.channels.set(ids.dms.bob, { id: ids.dms.bob, type: FakeChannelType.DM, recipientId: ids.users.bob });
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    if (!this.memberRoles.has(user.id)) this.memberRoles.set(user.id, []);
    return user;
  }

  addThread(o: {
    id: string;
    parentId: string;
    ownerId: string;
    name: string;
    autoArchiveMinutes?: number;
  }): FakeChannel {
    const thread: FakeChannel = {
      id: o.id,
      type: FakeChannelType.PublicThread,
      name: o.name,
      guildId: this.guildId,
      parentId: o.parentId,
      ownerId: o.ownerId,
      autoArchiveMinutes: o.autoArchiveMinutes ?? 1440,
    };
    this.channels.set(o.id, thread);
    return thread;
  }

  addChannel(channel: FakeChannel): FakeChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  setMemberRoles(userId: string, roleIds: string[]): void {
    this.memberRoles.set(userId, [...roleIds]);
  }

  /** The DM channel with a person, created on first use like POST /users/@me/channels. */
  dmWith(userId: string, newId: () => string): FakeChannel {
    for (const channel of this.channels.values()) {
      if (channel.type === FakeChannelType.DM && channel.recipientId === userId) return channel;
    }
    const channel: FakeChannel = { id: newId(), type: FakeChannelType.DM, recipientId: userId };
    this.channels.set(channel.id, channel);
    return channel;
  }

  isThread(channel: FakeChannel | undefined): boolean {
    return channel?.type === FakeChannelType.PublicThread || channel?.type === FakeChannelType.PrivateThread;
  }
}
