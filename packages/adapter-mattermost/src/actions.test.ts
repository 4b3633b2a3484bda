import { freePort, runConformanceSubset, type ScenarioId } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { MATTERMOST_ACTIONS_PATH } from './actions.js';
import { mattermostConformanceDriver } from './conformance-driver.js';
import { type Rig, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function startWithButtons(): Promise<{ r: Rig; url: string }> {
  // The endpoint must name its port before it listens, and another process may take a port freePort saw
  // free (CI lost that race once): a few tries with fresh ports, never a different outcome.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    try {
      rig = await startRig({ actions: { publicUrl, port } });
      return { r: rig, url: `${publicUrl}${MATTERMOST_ACTIONS_PATH}` };
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('EADDRINUSE')) throw error;
    }
  }
}

const channel = { platform: 'mattermost', chatId: 'group-1', chatType: 'channel' } as const;

describe('mattermost interactive buttons', () => {
  it('are off (no flag, no settleActions) unless the endpoint is configured', async () => {
    rig = await startRig();
    expect(rig.adapter.capabilities.buttons).toBeUndefined();
    expect(rig.adapter.settleActions).toBeUndefined();
  });

  it('a press reaches receiveAction after Mattermost got its answer; settleActions removes the buttons', async () => {
    const { r } = await startWithButtons();
    expect(r.adapter.capabilities.buttons).toBe(true);
    const sent = await r.adapter.send(channel, {
      text: 'Run `rm -rf build`?',
      actions: [
        { id: 'approve:once', label: 'Approve', style: 'primary' },
        { id: 'deny', label: 'Deny', style: 'danger' },
      ],
    });
    if (!sent.ok) throw sent.error;
    const postId = sent.messageIds[0]!;
    const stored = r.fake.store.posts.get(postId)!;
    const actions = (stored.props['attachments'] as Array<{ actions: Array<Record<string, unknown>> }>)[0]!
      .actions;
    expect(actions.map((a) => [a['id'], a['name'], a['style']])).toEqual([
      ['hermes0', 'Approve', 'primary'],
      ['hermes1', 'Deny', 'danger'],
    ]);
    // Clients never see where a button posts to, nor its signed context.
    expect(JSON.stringify(r.fake.sentMessages().at(-1)!.raw)).not.toContain('integration');

    const press = await r.fake.pressButton({ postId, actionId: 'hermes0', userId: 'user-alice' });
    expect(press.status).toBe(200);
    const action = await r.context.waitForAction((a) => a.messageId === postId);
    expect(action).toMatchObject({
      actionId: 'approve:once',
      messageId: postId,
      chat: { platform: 'mattermost', chatId: 'group-1' },
      sender: { id: 'user-alice', name: 'alice' },
    });
    expect(JSON.stringify(action.raw)).not.toContain('sig');

    const settled = await r.adapter.settleActions!(channel, postId, '✅ Approved by alice');
    expect(settled.ok).toBe(true);
    const after = r.fake.store.posts.get(postId)!;
    expect(after.message).toBe('Run `rm -rf build`?\n\n✅ Approved by alice');
    expect(after.props['attachments']).toBeUndefined();
  });

  it('settleActions keeps the question when the adapter no longer remembers it (after a restart)', async () => {
    const { r } = await startWithButtons();
    const post = r.fake.store.createPost({
      userId: r.fake.botUserId,
      channelId: 'group-1',
      message: 'Deploy now?',
      props: { attachments: [{ actions: [{ id: 'hermes0', name: 'Yes' }] }] },
    });
    const settled = await r.adapter.settleActions!(channel, post.id, '❌ Denied');
    expect(settled.ok).toBe(true);
    expect(r.fake.store.posts.get(post.id)!.message).toBe('Deploy now?\n\n❌ Denied');
  });

  it('the same press delivered twice reaches the host once', async () => {
    const { r, url } = await startWithButtons();
    const sent = await r.adapter.send(channel, { text: 'go?', actions: [{ id: 'yes', label: 'Yes' }] });
    if (!sent.ok) throw sent.error;
    const stored = r.fake.store.posts.get(sent.messageIds[0]!)!;
    const context = (
      stored.props['attachments'] as Array<{ actions: Array<{ integration: { context: unknown } }> }>
    )[0]!.actions[0]!.integration.context;
    const body = JSON.stringify({
      user_id: 'u1',
      channel_id: 'group-1',
      post_id: stored.id,
      trigger_id: 'T1',
      context,
    });
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
    }
    await r.context.waitForAction((a) => a.id === 'T1');
    expect(r.context.actions).toHaveLength(1);
  });

  it('refuses forged, unsigned and malformed presses with a clear status and hands nothing on', async () => {
    const { r, url } = await startWithButtons();
    const post = (body: string, method = 'POST') =>
      fetch(url, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(method === 'POST' ? { body } : {}),
      });
    const forged = JSON.stringify({
      user_id: 'u1',
      channel_id: 'group-1',
      post_id: 'p1',
      context: { hermes_action: 'approve', nonce: 'n', sig: 'AAAA' },
    });
    expect((await post(forged)).status).toBe(403);
    expect((await post(JSON.stringify({ user_id: 'u1', post_id: 'p', channel_id: 'c' }))).status).toBe(403);
    expect((await post('{not json')).status).toBe(400);
    expect((await post('x'.repeat(70_000))).status).toBe(413);
    expect((await post('', 'GET')).status).toBe(405);
    expect(
      (await fetch(url.replace(MATTERMOST_ACTIONS_PATH, '/other'), { method: 'POST', body: '{}' })).status,
    ).toBe(404);
    expect(r.context.actions).toHaveLength(0);
  });

  it('stop() closes the endpoint', async () => {
    const { r, url } = await startWithButtons();
    await r.adapter.stop();
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});

const withButtons: ScenarioId[] = [
  'start-online',
  'capabilities',
  'contract-members',
  'lifecycle-errors',
  'clean-stop',
];
const elsewhere = 'runs in adapter.test.ts on the same adapter; buttons change nothing there';
runConformanceSubset(
  mattermostConformanceDriver(
    'mattermost with buttons',
    async () => {
      const port = await freePort();
      return { actions: { publicUrl: `http://127.0.0.1:${port}`, port } };
    },
    true,
  ),
  {
    title:
      'mattermost conformance with the button endpoint (settleActions ⇔ buttons, endpoint closed by stop())',
    applicable: withButtons,
    notApplicable: Object.fromEntries(
      (
        [
          'dm-text',
          'group-mention',
          'group-without-mention',
          'thread-reply',
          'long-reply-split',
          'media-out',
          'media-in',
          'edit',
          'delete',
          'typing',
          'reactions',
          'reconnect',
          'rate-limit',
          'malformed',
        ] as ScenarioId[]
      ).map((id) => [id, elsewhere]),
    ),
  },
);
