import type { Logger } from '@hermes/adapter-core';
import type { MattermostApi, MattermostChannelInfo } from './api.js';

export interface MissedPost {
  post: unknown;
  channel: MattermostChannelInfo;
  createAt: number;
}

/**
 * The posts created at or after `from` in every channel the bot belongs to, oldest first: what a dropped
 * WebSocket did not deliver. Channels come from each team's list (which includes DMs and group DMs), and
 * only channels whose `last_post_at` is recent enough are asked for their posts.
 */
export async function fetchMissedPosts(
  api: MattermostApi,
  from: number,
  logger: Logger,
  signal?: AbortSignal,
): Promise<MissedPost[]> {
  const channels = new Map<string, MattermostChannelInfo>();
  for (const teamId of await api.getMyTeamIds(signal)) {
    for (const channel of await api.getMyChannels(teamId, signal)) channels.set(channel.id, channel);
  }
  const missed: MissedPost[] = [];
  let asked = 0;
  for (const channel of channels.values()) {
    if (channel.last_post_at !== undefined && channel.last_post_at < from) continue;
    asked += 1;
    for (const post of await api.getPostsSince(channel.id, from - 1, signal)) {
      const createAt = (post as { create_at?: unknown }).create_at;
      const deleted = (post as { delete_at?: unknown }).delete_at;
      // `since` also returns posts edited or deleted since then; only new posts are missed messages.
      if (typeof createAt !== 'number' || createAt < from) continue;
      if (typeof deleted === 'number' && deleted > 0) continue;
      missed.push({ post, channel, createAt });
    }
  }
  missed.sort((a, b) => a.createAt - b.createAt);
  logger.info(
    `mattermost: catch-up after reconnect read ${asked} of ${channels.size} channel(s), ${missed.length} post(s) since the drop`,
  );
  return missed;
}
