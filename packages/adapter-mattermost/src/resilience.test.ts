import { seededRandom } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const texts = (r: Rig) => r.context.received.map((m) => m.text);

/** Keeps the adapter from reconnecting for a while: its next token checks get a 503. */
function holdReconnects(r: Rig, attempts: number): void {
  r.fake.server.faults.next(
    {
      kind: 'status',
      status: 503,
      body: { id: 'fake.down', message: 'down for a moment', status_code: 503 },
    },
    attempts,
    { method: 'GET', path: '/api/v4/users/me' },
  );
}

describe('mattermost reconnect with catch-up', () => {
  it('posts made while the WebSocket was down arrive after the reconnect, once each and in order', async () => {
    rig = await startRig();
    const r = rig;
    await r.fake.deliverDm('before the drop');
    await r.context.waitForReceived((m) => m.text === 'before the drop');

    holdReconnects(r, 3);
    await r.fake.dropConnection();
    await waitFor(() => r.fake.authenticatedSockets === 0, {
      timeoutMs: 5_000,
      what: 'the socket to be gone',
    });
    for (let i = 1; i <= 5; i += 1) await r.fake.deliverDm(`missed ${i}`);
    await r.fake.deliverGroup('missed in the channel', { mention: true });
    await r.fake.deliverGroup('chatter nobody asked the bot about', { mention: false });

    await waitFor(() => texts(r).includes('missed in the channel'), {
      timeoutMs: 10_000,
      what: 'the posts missed during the drop',
    });
    await sleep(300);
    expect(texts(r)).toEqual([
      'before the drop',
      'missed 1',
      'missed 2',
      'missed 3',
      'missed 4',
      'missed 5',
      'missed in the channel',
    ]);
    expect(r.context.statuses).toContain('reconnecting');
    expect(r.context.statuses.at(-1)).toBe('online');
    // The SDK's own reconnect timer is parked: the supervisor's socket is the only one.
    expect(r.fake.server.sockets.size).toBe(1);
  });

  it('a reconnect before any post arrived does not replay posts made before the adapter started', async () => {
    rig = await startRig();
    const r = rig;
    // Three seconds old: inside the catch-up's overlap, but from before the start.
    const old = r.fake.store.createPost({
      userId: 'user-alice',
      channelId: 'dm-alice',
      message: 'from before the start',
    });
    old.create_at -= 3_000;
    old.update_at -= 3_000;
    await r.fake.dropConnection();
    await r.fake.deliverDm('after the drop');
    await r.context.waitForReceived((m) => m.text === 'after the drop', 10_000);
    await sleep(200);
    expect(texts(r)).toEqual(['after the drop']);
  });

  it('a socket whose pings go unanswered is replaced, and what was posted meanwhile is fetched', async () => {
    rig = await startRig({ pingIntervalMs: 200 });
    const r = rig;
    await r.fake.deliverDm('before the silence');
    await r.context.waitForReceived((m) => m.text === 'before the silence');
    const connections = r.fake.server.connectionCount;
    r.fake.answerPings(false);
    // Events stop too (a dead link carries nothing): the post only exists on the server.
    r.fake.store.createPost({ userId: 'user-alice', channelId: 'dm-alice', message: 'during the silence' });
    await waitFor(() => r.fake.server.connectionCount > connections, {
      timeoutMs: 5_000,
      what: 'a new socket',
    });
    r.fake.answerPings(true);
    await r.context.waitForReceived((m) => m.text === 'during the silence', 5_000);
    const liveness = r.adapter.liveness();
    expect(liveness.heartbeatIntervalMs).toBe(200);
    expect(liveness.lastInboundAt).toBeGreaterThan(0);
  });

  it('a sequence gap (events the server lost) reconnects and fetches the lost post instead of crashing the SDK', async () => {
    rig = await startRig();
    const r = rig;
    await r.fake.deliverDm('first');
    await r.context.waitForReceived((m) => m.text === 'first');
    const connections = r.fake.server.connectionCount;
    // The server stored a post but its event never went out: the next event's seq skips one.
    r.fake.store.createPost({ userId: 'user-alice', channelId: 'dm-alice', message: 'lost event' });
    r.fake.skipSequence(1);
    await r.fake.deliverDm('after the gap');
    await waitFor(() => texts(r).includes('after the gap') && texts(r).includes('lost event'), {
      timeoutMs: 10_000,
      what: 'both posts after the gap',
    });
    await sleep(300);
    expect(texts(r)).toEqual(['first', 'lost event', 'after the gap']);
    expect(r.fake.server.connectionCount).toBeGreaterThan(connections);
  });

  it('a catch-up that fails keeps the connect failing until it works: nothing is skipped', async () => {
    rig = await startRig();
    const r = rig;
    await r.fake.deliverDm('hello');
    await r.context.waitForReceived((m) => m.text === 'hello');
    r.fake.server.faults.next(
      { kind: 'status', status: 500, body: { id: 'fake.boom', message: 'boom', status_code: 500 } },
      2,
      { method: 'GET', path: /^\/api\/v4\/users\/me\/teams/ },
    );
    holdReconnects(r, 1);
    await r.fake.dropConnection();
    await waitFor(() => r.fake.authenticatedSockets === 0, {
      timeoutMs: 5_000,
      what: 'the socket to be gone',
    });
    await r.fake.deliverDm('sent during the outage');
    await r.context.waitForReceived((m) => m.text === 'sent during the outage', 10_000);
    expect(r.fake.server.faults.pending).toBe(0);
    expect(texts(r).filter((t) => t === 'sent during the outage')).toHaveLength(1);
  });
});

describe('mattermost 1,000-message exchange with random drops', () => {
  it('every message is received once and answered once, through socket drops, cut requests and lost responses', async () => {
    rig = await startRig();
    const r = rig;
    const random = seededRandom(20_261_206);
    const total = 1_000;
    const chats = ['dm-1', 'dm-2', 'dm-3', 'dm-4'];
    for (const chat of chats) r.fake.store.ensureChannel(chat, 'D');
    const failures: string[] = [];
    const faults = { lostAnswers: 0, cutRequests: 0, drops: 0 };
    let answering = true;
    // The bot: one worker per chat answers each message once, as the host would. Before some answers the
    // fake is told to cut that request before it is processed, or to make the post and lose the response:
    // the resend must neither duplicate nor lose the answer.
    const worker = async (chat: string) => {
      const done = new Set<string>();
      while (answering) {
        const next = r.context.received.find((m) => m.chat.chatId === chat && !done.has(m.id));
        if (!next) {
          await sleep(5);
          continue;
        }
        done.add(next.id);
        const roll = random();
        if (roll < 0.008) {
          faults.lostAnswers += 1;
          r.fake.loseNextPostResponses(1, chat);
        } else if (roll < 0.016) {
          faults.cutRequests += 1;
          r.fake.server.faults.next(
            { kind: 'drop' },
            1,
            (q) => q.method === 'POST' && q.path === '/api/v4/posts' && q.text().includes(`"${chat}"`),
          );
        }
        const result = await r.adapter.send(next.chat, { text: `re: ${next.text}` });
        if (!result.ok) failures.push(`${next.text}: ${result.error.code} ${result.error.message}`);
      }
    };
    const workers = chats.map((chat) => worker(chat));
    for (let i = 0; i < total; i += 1) {
      await r.fake.deliverDm(`msg ${i}`, { chatId: chats[i % chats.length]! });
      if (random() < 0.006) {
        faults.drops += 1;
        await r.fake.dropConnection();
      }
      if (i % 10 === 0) await sleep(2);
    }
    await waitFor(() => r.context.received.length >= total && r.fake.sentMessages().length >= total, {
      timeoutMs: 45_000,
      what: `${total} messages received and answered`,
    });
    await sleep(500);
    answering = false;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(faults.drops).toBeGreaterThan(0);
    expect(faults.lostAnswers).toBeGreaterThan(0);
    expect(faults.cutRequests).toBeGreaterThan(0);
    const received = texts(r);
    expect(received).toHaveLength(total);
    expect(new Set(received).size).toBe(total);
    expect(new Set(r.context.received.map((m) => m.id)).size).toBe(total);
    const replies = r.fake.sentMessages().map((m) => m.text);
    expect(replies).toHaveLength(total);
    expect(new Set(replies).size).toBe(total);
    for (let i = 0; i < total; i += 1) expect(replies).toContain(`re: msg ${i}`);
  }, 60_000);
});

describe('mattermost rate limits', () => {
  it("honours Mattermost's 429 (plain text body, Retry-After header) and posts once", async () => {
    rig = await startRig();
    const r = rig;
    r.fake.rateLimitNextPosts(1);
    const result = await r.adapter.send(
      { platform: 'mattermost', chatId: 'dm-alice', chatType: 'dm' },
      { text: 'patient' },
    );
    expect(result.ok).toBe(true);
    const posts = r.fake.server.requests.filter((q) => q.method === 'POST' && q.path === '/api/v4/posts');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.status).toBe(429);
    expect(posts[1]!.receivedAt - posts[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(r.fake.sentMessages().filter((m) => m.text === 'patient')).toHaveLength(1);
  });
});

describe('mattermost malformed input', () => {
  it('survives garbage frames, binary frames, events without seq and posts missing fields', async () => {
    rig = await startRig();
    const r = rig;
    const warned = () => r.context.logger.find('warn').length;
    const before = warned();
    const socket = [...r.fake.server.sockets][0]!;
    socket.send('not json at all');
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    socket.send(JSON.stringify({ event: 'posted', data: {} }));
    socket.send('[1,2,3]');
    await r.fake.deliverMalformed();
    r.fake.store.ensureChannel('dm-alice', 'D');
    await waitFor(() => warned() >= before + 6, { timeoutMs: 5_000, what: 'a warning per malformed input' });
    await r.fake.deliverDm('still here');
    await r.context.waitForReceived((m) => m.text === 'still here');
    expect(texts(r)).toEqual(['still here']);
    expect(r.context.statuses).not.toContain('failed');
    const logged = JSON.stringify(r.context.logger.entries);
    expect(logged).not.toContain(r.fake.token);
  });
});
