import { describe, expect, it } from 'vitest';
import { manualClock, post, startReceiver } from '../test/harness.js';
import { genericV2Headers, githubSignatureHeaders, standardWebhookHeaders } from './testing/index.js';

const SECRET = 'route-secret-0123456789';
const WHSEC = `whsec_${Buffer.from('standard-webhooks-key-bytes').toString('base64')}`;
// Unsigned delivery-id headers an attacker can add to or change on a captured request.
const FORGED_IDS: Array<Record<string, string>> = [
  { 'x-github-delivery': 'forged-1' },
  { 'x-request-id': 'forged-2' },
  { 'x-gitlab-event-uuid': 'forged-3' },
  { 'svix-id': 'forged-4' },
];

describe('replays are recognised by what the authenticating scheme signs', () => {
  it('Standard Webhooks: a captured request with an unsigned id header added is a duplicate', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      { routes: { sw: { secret: WHSEC, scheme: 'standard-webhooks' } } },
      { now: clock.now },
    );
    const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
    const captured = standardWebhookHeaders(WHSEC, body, { id: 'msg_1', timestamp: clock.seconds() });
    expect((await post(r.routeUrl('sw'), body, captured)).status).toBe(202);
    for (const forged of FORGED_IDS) {
      const replay = await post(r.routeUrl('sw'), body, { ...captured, ...forged });
      expect(replay).toMatchObject({ status: 200, json: { status: 'duplicate', delivery_id: 'msg_1' } });
    }
    // A new event signed with its own id is still accepted.
    const next = standardWebhookHeaders(WHSEC, body, { id: 'msg_2', timestamp: clock.seconds() });
    expect((await post(r.routeUrl('sw'), body, next)).status).toBe(202);
    expect(r.received.map((m) => m.id)).toEqual(['msg_1', 'msg_2']);
  });

  it('GitHub: the same signed body with a changed or missing X-GitHub-Delivery is a duplicate', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, scheme: 'github' } } });
    const body = '{"action":"opened","number":7}';
    const captured = githubSignatureHeaders(SECRET, body, { event: 'issues', delivery: 'guid-1' });
    expect((await post(r.routeUrl('gh'), body, captured)).status).toBe(202);
    const { 'x-github-delivery': _dropped, ...withoutId } = captured;
    for (const headers of [{ ...captured, 'x-github-delivery': 'guid-2' }, withoutId]) {
      expect((await post(r.routeUrl('gh'), body, headers)).json['status']).toBe('duplicate');
    }
    const other = '{"action":"closed","number":7}';
    const fresh = githubSignatureHeaders(SECRET, other, { event: 'issues', delivery: 'guid-3' });
    expect((await post(r.routeUrl('gh'), other, fresh)).status).toBe(202);
    expect(r.received).toHaveLength(2);
  });

  it('generic v2: a replay within the ±300 s window is a duplicate with or without X-Request-Id', async () => {
    const clock = manualClock();
    const r = await startReceiver(
      { routes: { g: { secret: SECRET, scheme: 'generic-v2' } } },
      { now: clock.now },
    );
    const body = '{"alert":"disk full"}';
    const captured = genericV2Headers(SECRET, body, { timestamp: clock.seconds() });
    expect((await post(r.routeUrl('g'), body, captured)).status).toBe(202);
    expect((await post(r.routeUrl('g'), body, captured)).json['status']).toBe('duplicate');
    clock.advance(299_000);
    for (const forged of FORGED_IDS) {
      expect((await post(r.routeUrl('g'), body, { ...captured, ...forged })).json['status']).toBe(
        'duplicate',
      );
    }
    // Past the window the timestamp check refuses it outright.
    clock.advance(2000);
    expect((await post(r.routeUrl('g'), body, captured)).status).toBe(401);
    // The same alert sent again later is signed with a new timestamp: a new event.
    const again = genericV2Headers(SECRET, body, { timestamp: clock.seconds() });
    expect((await post(r.routeUrl('g'), body, again)).status).toBe(202);
    expect(r.received).toHaveLength(2);
  });

  it('GitLab token: the same body is a duplicate whatever X-Gitlab-Event-UUID says', async () => {
    const r = await startReceiver({ routes: { gl: { secret: SECRET, scheme: 'gitlab' } } });
    const body = '{"object_kind":"push","checkout_sha":"abc"}';
    const captured = {
      'x-gitlab-token': SECRET,
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-event-uuid': 'u-1',
    };
    expect((await post(r.routeUrl('gl'), body, captured)).status).toBe(202);
    const { 'x-gitlab-event-uuid': _dropped, ...withoutId } = captured;
    for (const headers of [captured, { ...captured, 'x-gitlab-event-uuid': 'u-2' }, withoutId]) {
      expect((await post(r.routeUrl('gl'), body, headers)).json['status']).toBe('duplicate');
    }
    // The delivery header is a second key: a redelivery that repeats it is caught too.
    expect((await post(r.routeUrl('gl'), '{"object_kind":"push"}', captured)).json['status']).toBe(
      'duplicate',
    );
    const next = { ...captured, 'x-gitlab-event-uuid': 'u-3' };
    expect((await post(r.routeUrl('gl'), '{"object_kind":"tag_push"}', next)).status).toBe(202);
    expect(r.received).toHaveLength(2);
  });

  it('Bearer: the same body is a duplicate with or without X-Request-Id; a new body is a new event', async () => {
    const r = await startReceiver({ routes: { b: { secret: SECRET, scheme: 'bearer' } } });
    const auth = { authorization: `Bearer ${SECRET}` };
    expect((await post(r.routeUrl('b'), '{"build":41}', auth)).status).toBe(202);
    expect((await post(r.routeUrl('b'), '{"build":41}', auth)).json['status']).toBe('duplicate');
    expect(
      (await post(r.routeUrl('b'), '{"build":41}', { ...auth, 'x-request-id': 'r-9' })).json['status'],
    ).toBe('duplicate');
    expect((await post(r.routeUrl('b'), '{"build":42}', auth)).status).toBe(202);
    expect(r.received).toHaveLength(2);
  });
});
