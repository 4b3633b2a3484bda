import { createMemoryLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { manualClock, post, startReceiver } from '../test/harness.js';
import type { WebhookEventRaw } from './index.js';
import { genericV2Headers, githubSignatureHeaders, standardWebhookHeaders } from './testing/index.js';

const SECRET = 'route-secret-0123456789';
const WHSEC = `whsec_${Buffer.from('standard-webhooks-key-bytes').toString('base64')}`;
const rawOf = (m: { raw: unknown }) => m.raw as WebhookEventRaw;

const prPayload = JSON.stringify({
  action: 'opened',
  pull_request: {
    title: 'Fix the parser',
    number: 42,
    user: { login: 'octocat' },
    labels: [{ name: 'bug' }],
  },
});

describe('routing and status codes', () => {
  it('answers /health without auth', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } });
    const res = await post(`${r.url}/health`, '', {}, 'GET');
    expect(res).toMatchObject({ status: 200, json: { status: 'ok', platform: 'webhook' } });
  });

  it('202 for a signed event: prompt rendered, deliverTo and turnLimits typed, the same in raw', async () => {
    const r = await startReceiver({
      routes: {
        gh: {
          secret: SECRET,
          scheme: 'github',
          prompt:
            'PR #{pull_request.number} "{pull_request.title}" by {pull_request.user.login}, label {pull_request.labels.0.name}',
          deliver: 'telegram:-100123',
          deliverExtra: { silent: true },
          toolsets: ['web'],
          skills: ['triage'],
        },
      },
    });
    const res = await post(
      r.routeUrl('gh'),
      prPayload,
      githubSignatureHeaders(SECRET, prPayload, { event: 'pull_request', delivery: 'd-1' }),
    );
    expect(res).toMatchObject({ status: 202, json: { status: 'accepted', route: 'gh', delivery_id: 'd-1' } });
    expect(r.received).toHaveLength(1);
    const [msg] = r.received;
    expect(msg?.text).toBe('PR #42 "Fix the parser" by octocat, label bug');
    expect(msg?.chat).toMatchObject({ platform: 'webhook', chatId: 'gh:d-1', chatType: 'dm' });
    expect(msg?.sender.id).toBe('webhook:gh');
    expect(msg?.deliverTo).toBe('telegram:-100123');
    expect(msg?.turnLimits).toEqual({ toolsets: ['web'], skills: ['triage'] });
    expect(rawOf(msg!)).toMatchObject({
      kind: 'webhook.event',
      route: 'gh',
      event: 'pull_request',
      deliveryId: 'd-1',
      scheme: 'github',
      deliver: { kind: 'platform', platform: 'telegram', chatId: '-100123', target: 'telegram:-100123' },
      deliverExtra: { silent: true },
      payload: JSON.parse(prPayload),
    });
  });

  it('deliverTo: a bare platform, a chat with a thread, none for log; turnLimits only when the route sets them', async () => {
    const r = await startReceiver({
      secret: SECRET,
      routes: {
        home: { scheme: 'bearer', deliver: 'slack' },
        thread: { scheme: 'bearer', deliver: 'telegram:-100123:42', skills: ['triage'] },
        logged: { scheme: 'bearer', toolsets: [] },
        plain: { scheme: 'bearer' },
      },
    });
    const auth = { authorization: `Bearer ${SECRET}` };
    for (const route of ['home', 'thread', 'logged', 'plain']) {
      expect((await post(r.routeUrl(route), `{"route":"${route}"}`, auth)).status).toBe(202);
    }
    const [home, thread, logged, plain] = r.received;
    expect(home?.deliverTo).toBe('slack');
    expect(home?.turnLimits).toBeUndefined();
    expect(thread?.deliverTo).toBe('telegram:-100123:42');
    expect(thread?.turnLimits).toEqual({ skills: ['triage'] });
    // An empty list is a deliberate "no tools", not an absent limit.
    expect(logged?.deliverTo).toBeUndefined();
    expect(logged?.turnLimits).toEqual({ toolsets: [] });
    expect(Object.keys(plain!)).not.toContain('deliverTo');
    expect(Object.keys(plain!)).not.toContain('turnLimits');
    expect(rawOf(plain!).deliver).toEqual({ kind: 'log' });
  });

  it('404 for an unknown route, 405 for GET on a route', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } });
    expect((await post(r.routeUrl('nope'), '{}')).status).toBe(404);
    expect((await post(`${r.url}/elsewhere`, '{}')).status).toBe(404);
    const get = await post(r.routeUrl('gh'), '', {}, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(r.received).toHaveLength(0);
  });

  it('400 for a correctly signed body that is not JSON', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } });
    const body = 'this is { not json';
    const res = await post(r.routeUrl('gh'), body, githubSignatureHeaders(SECRET, body));
    expect(res.status).toBe(400);
    expect(String(res.json['error'])).toContain('not valid JSON');
    expect(r.received).toHaveLength(0);
  });

  it('accepts GitHub form-encoded deliveries (payload=<json>)', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, prompt: '{pull_request.title}' } } });
    const body = new URLSearchParams({ payload: prPayload }).toString();
    const res = await post(r.routeUrl('gh'), body, {
      ...githubSignatureHeaders(SECRET, body, { event: 'pull_request' }),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(202);
    expect(r.received[0]?.text).toBe('Fix the parser');
  });

  it('413 for a body over the cap (1 MB by default), nothing dispatched', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } });
    const big = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    const res = await post(r.routeUrl('gh'), big, githubSignatureHeaders(SECRET, big));
    expect(res.status).toBe(413);
    expect(r.received).toHaveLength(0);
    const small = '{"ok":true}';
    expect((await post(r.routeUrl('gh'), small, githubSignatureHeaders(SECRET, small))).status).toBe(202);
  });

  it('200 "ignored" for an event the route does not list, 200 "pong" for GitHub ping', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, events: ['push'] } } });
    const ignored = await post(
      r.routeUrl('gh'),
      prPayload,
      githubSignatureHeaders(SECRET, prPayload, { event: 'pull_request' }),
    );
    expect(ignored).toMatchObject({ status: 200, json: { status: 'ignored', event: 'pull_request' } });
    const ping = await post(
      r.routeUrl('gh'),
      '{"zen":"hi"}',
      githubSignatureHeaders(SECRET, '{"zen":"hi"}', { event: 'ping' }),
    );
    expect(ping).toMatchObject({ status: 200, json: { status: 'pong' } });
    const push = await post(
      r.routeUrl('gh'),
      '{"ref":"main"}',
      githubSignatureHeaders(SECRET, '{"ref":"main"}', { event: 'push' }),
    );
    expect(push.status).toBe(202);
    expect(r.received).toHaveLength(1);
    // The payload `type` field is the event type for senders without an event header.
    const typed = await startReceiver({
      routes: { sw: { secret: SECRET, scheme: 'bearer', events: ['invoice.paid'] } },
    });
    const auth = { authorization: `Bearer ${SECRET}` };
    expect((await post(typed.routeUrl('sw'), '{"type":"invoice.paid"}', auth)).status).toBe(202);
    expect((await post(typed.routeUrl('sw'), '{"type":"invoice.voided"}', auth)).json['status']).toBe(
      'ignored',
    );
  });
});

describe('signature schemes', () => {
  it('GitHub X-Hub-Signature-256: good, bad, missing, replayed', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, scheme: 'github' } } });
    const good = githubSignatureHeaders(SECRET, prPayload, { event: 'pull_request', delivery: 'gh-1' });
    expect((await post(r.routeUrl('gh'), prPayload, good)).status).toBe(202);
    const wrongKey = githubSignatureHeaders('another-secret', prPayload, { delivery: 'gh-2' });
    expect((await post(r.routeUrl('gh'), prPayload, wrongKey)).status).toBe(401);
    const tampered = prPayload.replace('Fix', 'Break');
    expect((await post(r.routeUrl('gh'), tampered, { ...good, 'x-github-delivery': 'gh-3' })).status).toBe(
      401,
    );
    expect((await post(r.routeUrl('gh'), prPayload, { 'x-github-delivery': 'gh-4' })).status).toBe(401);
    const replay = await post(r.routeUrl('gh'), prPayload, good);
    expect(replay).toMatchObject({ status: 200, json: { status: 'duplicate', delivery_id: 'gh-1' } });
    expect(r.received).toHaveLength(1);
  });

  it('GitLab X-Gitlab-Token: good, bad, replayed', async () => {
    const r = await startReceiver({
      routes: { gl: { secret: SECRET, scheme: 'gitlab', prompt: '{object_kind}' } },
    });
    const body = '{"object_kind":"merge_request"}';
    const headers = {
      'x-gitlab-token': SECRET,
      'x-gitlab-event': 'Merge Request Hook',
      'x-gitlab-event-uuid': 'gl-1',
    };
    expect((await post(r.routeUrl('gl'), body, headers)).status).toBe(202);
    expect((await post(r.routeUrl('gl'), body, { ...headers, 'x-gitlab-token': `${SECRET}x` })).status).toBe(
      401,
    );
    expect((await post(r.routeUrl('gl'), body, headers)).json['status']).toBe('duplicate');
    expect(r.received.map((m) => m.text)).toEqual(['merge_request']);
    expect(rawOf(r.received[0]!).event).toBe('Merge Request Hook');
  });

  it('Standard Webhooks: good, bad, replayed, stale and future timestamps, key rotation', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      { routes: { sw: { secret: WHSEC, scheme: 'standard-webhooks' } } },
      { now: clock.now },
    );
    const body = '{"type":"user.created","data":{"id":"u1"}}';
    const good = standardWebhookHeaders(WHSEC, body, { id: 'msg_1', timestamp: clock.seconds() });
    expect((await post(r.routeUrl('sw'), body, good)).status).toBe(202);
    expect(rawOf(r.received[0]!)).toMatchObject({
      event: 'user.created',
      deliveryId: 'msg_1',
      scheme: 'standard-webhooks',
    });

    const otherKey = `whsec_${Buffer.from('not-the-key').toString('base64')}`;
    const bad = standardWebhookHeaders(otherKey, body, { id: 'msg_2', timestamp: clock.seconds() });
    expect((await post(r.routeUrl('sw'), body, bad)).status).toBe(401);
    // The id is part of the signed content: changing it breaks the signature.
    expect((await post(r.routeUrl('sw'), body, { ...good, 'webhook-id': 'msg_3' })).status).toBe(401);
    expect((await post(r.routeUrl('sw'), body, good)).json['status']).toBe('duplicate');

    const stale = standardWebhookHeaders(WHSEC, body, { id: 'msg_4', timestamp: clock.seconds() - 301 });
    expect((await post(r.routeUrl('sw'), body, stale)).status).toBe(401);
    const future = standardWebhookHeaders(WHSEC, body, { id: 'msg_5', timestamp: clock.seconds() + 301 });
    expect((await post(r.routeUrl('sw'), body, future)).status).toBe(401);

    // Several signatures (key rotation): one valid one is enough.
    const rotated = standardWebhookHeaders(WHSEC, body, { id: 'msg_6', timestamp: clock.seconds() });
    rotated['webhook-signature'] =
      `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${rotated['webhook-signature']}`;
    expect((await post(r.routeUrl('sw'), body, rotated)).status).toBe(202);
    expect(r.received).toHaveLength(2);
  });

  it('Standard Webhooks under svix- header names', async () => {
    const r = await startReceiver({ routes: { sw: { secret: WHSEC } } });
    const body = '{"type":"x"}';
    const h = standardWebhookHeaders(WHSEC, body, { id: 'svix_1', timestamp: Math.floor(Date.now() / 1000) });
    const svix = {
      'svix-id': h['webhook-id'],
      'svix-timestamp': h['webhook-timestamp'],
      'svix-signature': h['webhook-signature'],
    };
    expect((await post(r.routeUrl('sw'), body, svix)).status).toBe(202);
    expect((await post(r.routeUrl('sw'), body, svix)).json['status']).toBe('duplicate');
  });

  it('generic v2: good, bad, replayed, stale timestamp, timestamp not covered', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      { routes: { g: { secret: SECRET, scheme: 'generic-v2' } } },
      { now: clock.now },
    );
    const body = '{"alert":"disk full"}';
    const good = genericV2Headers(SECRET, body, { timestamp: clock.seconds(), requestId: 'req-1' });
    expect((await post(r.routeUrl('g'), body, good)).status).toBe(202);
    expect((await post(r.routeUrl('g'), body, good)).json['status']).toBe('duplicate');
    const bad = genericV2Headers('wrong-secret-xyz', body, {
      timestamp: clock.seconds(),
      requestId: 'req-2',
    });
    expect((await post(r.routeUrl('g'), body, bad)).status).toBe(401);
    const stale = genericV2Headers(SECRET, body, { timestamp: clock.seconds() - 400, requestId: 'req-3' });
    expect((await post(r.routeUrl('g'), body, stale)).status).toBe(401);
    // Moving a valid signature to a fresh timestamp does not work: the timestamp is signed.
    const moved = { ...stale, 'x-webhook-timestamp': String(clock.seconds()) };
    expect((await post(r.routeUrl('g'), body, moved)).status).toBe(401);
    expect(r.received).toHaveLength(1);
  });

  it('Bearer: good, bad, replayed', async () => {
    const r = await startReceiver({ routes: { b: { secret: SECRET, scheme: 'bearer' } } });
    const body = '{"n":1}';
    const good = { authorization: `Bearer ${SECRET}`, 'x-request-id': 'b-1' };
    expect((await post(r.routeUrl('b'), body, good)).status).toBe(202);
    expect(
      (await post(r.routeUrl('b'), body, { authorization: 'Bearer nope', 'x-request-id': 'b-2' })).status,
    ).toBe(401);
    expect((await post(r.routeUrl('b'), body, { authorization: `Basic ${SECRET}` })).status).toBe(401);
    expect((await post(r.routeUrl('b'), body, good)).json['status']).toBe('duplicate');
    expect(r.received).toHaveLength(1);
  });

  it('a route pinned to one scheme refuses the others, even with the right secret', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, scheme: 'github' } } });
    expect((await post(r.routeUrl('gh'), '{}', { authorization: `Bearer ${SECRET}` })).status).toBe(401);
    expect((await post(r.routeUrl('gh'), '{}', { 'x-gitlab-token': SECRET })).status).toBe(401);
  });

  it('auto picks the scheme from the headers; no signature at all is 401', async () => {
    const r = await startReceiver({ secret: SECRET, routes: { any: {} } });
    expect((await post(r.routeUrl('any'), '{}', githubSignatureHeaders(SECRET, '{}'))).status).toBe(202);
    expect((await post(r.routeUrl('any'), '{}', { 'x-gitlab-token': SECRET })).status).toBe(202);
    expect((await post(r.routeUrl('any'), '{}', { authorization: `Bearer ${SECRET}` })).status).toBe(202);
    expect((await post(r.routeUrl('any'), '{}')).status).toBe(401);
    expect(r.received.map((m) => rawOf(m).scheme)).toEqual(['github', 'gitlab', 'bearer']);
  });

  it('logs a rejected signature at warn without the secret', async () => {
    const logger = createMemoryLogger();
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } }, { logger });
    await post(r.routeUrl('gh'), '{}', { authorization: `Bearer ${SECRET}-wrong` });
    expect(logger.find('warn', 'signature rejected')).toHaveLength(1);
    expect(JSON.stringify(logger.entries)).not.toContain(SECRET);
  });
});

describe('rate limit and idempotency window', () => {
  it('429 after the per-route limit, other routes unaffected, refilled as time passes', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      {
        rateLimitPerMinute: 3,
        routes: { a: { secret: SECRET, scheme: 'bearer' }, b: { secret: SECRET, scheme: 'bearer' } },
      },
      { now: clock.now },
    );
    const auth = { authorization: `Bearer ${SECRET}` };
    for (let i = 0; i < 3; i++) expect((await post(r.routeUrl('a'), `{"i":${i}}`, auth)).status).toBe(202);
    const limited = await post(r.routeUrl('a'), '{"i":3}', auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect((await post(r.routeUrl('b'), '{"i":0}', auth)).status).toBe(202);
    clock.advance(20_000);
    expect((await post(r.routeUrl('a'), '{"i":4}', auth)).status).toBe(202);
    expect(r.received).toHaveLength(5);
  });

  it('applies the default of 30 per minute', async () => {
    const r = await startReceiver(
      { routes: { a: { secret: SECRET, scheme: 'bearer' } } },
      { now: manualClock().now },
    );
    const auth = { authorization: `Bearer ${SECRET}` };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await post(r.routeUrl('a'), `{"i":${i}}`, auth)).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(30);
    expect(statuses.at(-1)).toBe(429);
  });

  it('remembers a delivery id for an hour, per route', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      { routes: { a: { secret: SECRET, scheme: 'github' }, b: { secret: SECRET, scheme: 'github' } } },
      { now: clock.now },
    );
    const headers = githubSignatureHeaders(SECRET, '{}', { delivery: 'same-id' });
    expect((await post(r.routeUrl('a'), '{}', headers)).status).toBe(202);
    expect((await post(r.routeUrl('b'), '{}', headers)).status).toBe(202);
    clock.advance(59 * 60_000);
    expect((await post(r.routeUrl('a'), '{}', headers)).json['status']).toBe('duplicate');
    clock.advance(60 * 60_000);
    expect((await post(r.routeUrl('a'), '{}', headers)).status).toBe(202);
    expect(r.received).toHaveLength(3);
  });

  it('events without a delivery id get a fresh message id and their own session each', async () => {
    const r = await startReceiver({ routes: { a: { secret: SECRET, scheme: 'bearer' } } });
    const auth = { authorization: `Bearer ${SECRET}` };
    expect((await post(r.routeUrl('a'), '{"n":1}', auth)).status).toBe(202);
    expect((await post(r.routeUrl('a'), '{"n":2}', auth)).status).toBe(202);
    const ids = r.received.map((m) => m.id);
    expect(new Set(ids).size).toBe(2);
    expect(r.received.map((m) => m.chat.chatId)).toEqual(ids.map((id) => `a:${id}`));
  });
});
