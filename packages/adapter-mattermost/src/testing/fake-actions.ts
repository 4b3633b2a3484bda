import { randomUUID } from 'node:crypto';
import type { FakeMattermostStore, FakePost } from './fake-store.js';

/** What happened when the fake pressed a button. */
export interface FakeActionPress {
  /** The integration's HTTP status (0 when it could not be reached). */
  status: number;
  /** The integration's answer, parsed when it was JSON. */
  response: unknown;
  /** The ephemeral text the integration asked Mattermost to show the presser. */
  ephemeralText?: string;
  /** Whether the post was updated from the answer's `update`. */
  updated: boolean;
}

interface StoredAction {
  id?: unknown;
  integration?: { url?: unknown; context?: unknown };
}

function findAction(post: FakePost, actionId: string): StoredAction | undefined {
  const attachments = post.props['attachments'];
  if (!Array.isArray(attachments)) return undefined;
  for (const attachment of attachments) {
    const actions = (attachment as { actions?: unknown } | null)?.actions;
    if (!Array.isArray(actions)) continue;
    for (const action of actions as StoredAction[]) if (action?.id === actionId) return action;
  }
  return undefined;
}

/**
 * Does what the server does on `POST /api/v4/posts/{post_id}/actions/{action_id}`: posts the presser and the
 * stored context to the action's integration URL, then applies the answer's `update` to the post.
 */
export async function pressFakeButton(
  store: FakeMattermostStore,
  o: { postId: string; actionId: string; userId: string },
  onEdited: (post: FakePost) => void,
): Promise<FakeActionPress> {
  const post = store.posts.get(o.postId);
  if (!post) throw new Error(`fake pressButton: no post ${o.postId}`);
  const action = findAction(post, o.actionId);
  const url = action?.integration?.url;
  if (typeof url !== 'string')
    throw new Error(`fake pressButton: post ${o.postId} has no action ${o.actionId}`);
  const channel = store.channels.get(post.channel_id);
  const user = store.users.get(o.userId);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: o.userId,
        user_name: user?.username ?? o.userId,
        channel_id: post.channel_id,
        channel_name: channel?.name ?? '',
        team_id: channel?.team_id ?? '',
        team_domain: 'fake-team',
        post_id: post.id,
        trigger_id: randomUUID(),
        type: '',
        data_source: '',
        context: action?.integration?.context ?? {},
      }),
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    return { status: 0, response: undefined, updated: false };
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text
  }
  const press: FakeActionPress = { status: response.status, response: body, updated: false };
  if (!response.ok || typeof body !== 'object' || body === null) return press;
  const answer = body as { update?: { message?: unknown; props?: unknown }; ephemeral_text?: unknown };
  if (typeof answer.ephemeral_text === 'string') press.ephemeralText = answer.ephemeral_text;
  if (answer.update && typeof answer.update === 'object') {
    if (typeof answer.update.message === 'string') post.message = answer.update.message;
    if (typeof answer.update.props === 'object' && answer.update.props !== null)
      post.props = answer.update.props as Record<string, unknown>;
    post.edit_at = store.now();
    post.update_at = post.edit_at;
    press.updated = true;
    onEdited(post);
  }
  return press;
}
