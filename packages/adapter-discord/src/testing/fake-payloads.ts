import {
  type FakeChannel,
  FakeChannelType,
  type FakeRole,
  type FakeUser,
  type FakeWorld,
} from './fake-world.js';

/** A JSON object as Discord sends it. */
export type Json = Record<string, unknown>;

const JOINED_AT = '2025-01-01T00:00:00.000000+00:00';

export function apiUser(user: FakeUser): Json {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName ?? null,
    discriminator: '0',
    avatar: null,
    public_flags: 0,
    ...(user.bot ? { bot: true } : {}),
  };
}

export function apiRole(role: FakeRole): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.name === '@everyone' ? '1024' : '0',
    managed: role.botId !== undefined,
    mentionable: false,
    flags: 0,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

/** A server member; MESSAGE_CREATE carries it without `user`, GUILD_CREATE with it. */
export function apiMember(world: FakeWorld, userId: string, withUser: boolean): Json {
  const user = world.users.get(userId);
  return {
    ...(withUser && user ? { user: apiUser(user) } : {}),
    nick: null,
    avatar: null,
    banner: null,
    roles: world.memberRoles.get(userId) ?? [],
    joined_at: JOINED_AT,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function apiChannel(world: FakeWorld, channel: FakeChannel): Json {
  if (channel.type === FakeChannelType.DM) {
    const recipient = channel.recipientId ? world.users.get(channel.recipientId) : undefined;
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: null,
      flags: 0,
      recipients: recipient ? [apiUser(recipient)] : [],
    };
  }
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId ?? world.guildId,
    name: channel.name ?? `channel-${channel.id.slice(-4)}`,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (world.isThread(channel)) {
    const now = new Date().toISOString();
    return {
      ...base,
      parent_id: channel.parentId ?? null,
      owner_id: channel.ownerId ?? world.botId,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: channel.autoArchiveMinutes ?? 1440,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
    };
  }
  return { ...base, position: 0, permission_overwrites: [], nsfw: false, topic: null, parent_id: null };
}

/** The server as GUILD_CREATE describes it right after READY. */
export function apiGuildCreate(world: FakeWorld): Json {
  const channels = [...world.channels.values()].filter((c) => c.guildId === world.guildId);
  return {
    id: world.guildId,
    name: world.guildName,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: world.users.keys().next().value,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...world.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: JOINED_AT,
    large: false,
    unavailable: false,
    member_count: world.memberRoles.size,
    voice_states: [],
    members: [...world.memberRoles.keys()].map((id) => apiMember(world, id, true)),
    channels: channels.filter((c) => !world.isThread(c)).map((c) => apiChannel(world, c)),
    threads: channels.filter((c) => world.isThread(c)).map((c) => apiChannel(world, c)),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
