import { isAdapterError } from '@hermes/adapter-core';
import { createTestContext, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DingtalkAdapter } from './adapter.js';
import { fakeConfig, type Rig, sleep, startRig } from './test-support.js';
import { startFakeDingtalkServer } from './testing/index.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ROBOT_ONLY = [['/v1.0/im/bot/messages/get']];

describe('dingtalk Stream connection through the SDK, pointed at DINGTALK_API_BASE', () => {
  it('gets its ticket from the API base and subscribes to the robot topic only, on every client', async () => {
    rig = await startRig();
    // A second adapter in the same process: the SDK shares one default subscription array between clients.
    const context = createTestContext();
    const second = new DingtalkAdapter(fakeConfig(rig.fake));
    await second.start(context.ctx);
    await second.stop();
    await context.cleanup();
    expect(rig.fake.subscriptions).toEqual([...ROBOT_ONLY, ...ROBOT_ONLY]);
    const open = rig.fake.server.requests.find((q) => q.path === '/v1.0/gateway/connections/open');
    expect(open?.json()).toMatchObject({ clientId: rig.fake.clientId, clientSecret: rig.fake.clientSecret });
  });

  it('a wrong client secret fails start() at once with auth_failed naming the variable, without retrying', async () => {
    const fake = await startFakeDingtalkServer();
    const context = createTestContext();
    const adapter = new DingtalkAdapter(fakeConfig(fake, { clientSecret: 'wrong' }));
    try {
      let error: unknown;
      await adapter.start(context.ctx).catch((e: unknown) => {
        error = e;
      });
      expect(isAdapterError(error) && error.code).toBe('auth_failed');
      expect(isAdapterError(error) && error.fix).toMatch(/DINGTALK_CLIENT_SECRET/);
      expect(context.statuses.at(-1)).toBe('failed');
      await sleep(300);
      expect(fake.server.requests.filter((q) => q.path === '/v1.0/gateway/connections/open')).toHaveLength(1);
      const probe = await adapter.probe();
      expect(probe).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    } finally {
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    }
  });

  it('probe() checks the credentials without opening a socket', async () => {
    const fake = await startFakeDingtalkServer();
    try {
      const probe = await new DingtalkAdapter(fakeConfig(fake)).probe();
      expect(probe).toMatchObject({ ok: true, identity: fake.clientId });
      expect(fake.server.connectionCount).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('retries a failing connections/open on the configured schedule, then comes online', async () => {
    const fake = await startFakeDingtalkServer();
    fake.server.faults.next({ kind: 'status', status: 503, body: { code: 'ServiceUnavailable' } }, 2, {
      path: '/v1.0/gateway/connections/open',
    });
    const context = createTestContext();
    const adapter = new DingtalkAdapter(fakeConfig(fake, { reconnectDelaysMs: [200, 400] }));
    try {
      await adapter.start(context.ctx);
      const opens = fake.server.requests.filter((q) => q.path === '/v1.0/gateway/connections/open');
      expect(opens).toHaveLength(3);
      // 200 ms then 400 ms, each with ±20 % jitter.
      expect(opens[1]!.receivedAt - opens[0]!.receivedAt).toBeGreaterThanOrEqual(150);
      expect(opens[2]!.receivedAt - opens[1]!.receivedAt).toBeGreaterThanOrEqual(310);
      expect(context.statuses.at(-1)).toBe('online');
    } finally {
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    }
  });

  it('callbacks not acknowledged before a cut are delivered again on the next connection, and handled once', async () => {
    rig = await startRig();
    rig.fake.dropConnections('terminate');
    await waitFor(() => !rig!.fake.streamOnline, { timeoutMs: 2_000, what: 'the socket to go' });
    // Pushed while no socket is open: the fake keeps them until a connection acks them.
    await rig.fake.deliverDm('while offline 1');
    await rig.fake.deliverDm('while offline 2');
    await rig.context.waitForReceived((m) => m.text === 'while offline 2', 5_000);
    await waitFor(() => rig!.fake.streamStats().unacked === 0, { timeoutMs: 5_000, what: 'acks' });
    expect(rig.context.received.map((m) => m.text)).toEqual(['while offline 1', 'while offline 2']);
    expect(rig.fake.server.connectionCount).toBe(2);
  });

  it('SYSTEM disconnect makes it open a new connection straight away', async () => {
    rig = await startRig({ reconnectDelaysMs: [30_000] });
    rig.fake.deliverSystem('disconnect');
    await waitFor(() => rig!.fake.server.connectionCount === 2 && rig!.fake.streamOnline, {
      timeoutMs: 5_000,
      what: 'a second connection without waiting the 30 s backoff',
    });
    await rig.fake.deliverDm('after rotation');
    await rig.context.waitForReceived((m) => m.text === 'after rotation', 5_000);
  });

  it('answers SYSTEM ping frames (through the SDK) and counts them as heartbeats', async () => {
    rig = await startRig();
    const before = rig.adapter.liveness().lastHeartbeatAt ?? 0;
    await sleep(20);
    rig.fake.deliverSystem('ping');
    const pong = await rig.fake.server.waitForFrame((f) => f.text().includes('"code":200'), 5_000);
    expect(pong.json()).toMatchObject({ code: 200, message: 'OK' });
    expect(rig.adapter.liveness().lastHeartbeatAt).toBeGreaterThan(before);
  });

  it('survives frames the SDK would crash on: not JSON, no headers, unknown type, robot message without ids', async () => {
    rig = await startRig();
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      rig.fake.deliverRaw('not json at all');
      rig.fake.deliverRaw('{"type":"CALLBACK","data":"{}"}');
      rig.fake.deliverRaw('{"type":"BINARY","headers":{"topic":"x"}}');
      rig.fake.deliverRaw('[1,2,3]');
      await rig.fake.deliverMalformed();
      await rig.fake.deliverDm('still here');
      await rig.context.waitForReceived((m) => m.text === 'still here', 5_000);
      await waitFor(() => rig!.fake.streamStats().unacked === 0, { timeoutMs: 5_000, what: 'acks' });
    } finally {
      process.off('uncaughtException', onCrash);
    }
    expect(crashes).toEqual([]);
    expect(rig.context.received.map((m) => m.text)).toEqual(['still here']);
    const warned = rig.context.logger.find('warn').map((e) => String(e.fields?.['problem'] ?? ''));
    expect(warned.some((p) => p.startsWith('frame is not JSON'))).toBe(true);
    expect(warned.some((p) => p.includes('no headers.topic'))).toBe(true);
    expect(warned.some((p) => p.includes('"BINARY"'))).toBe(true);
    expect(warned.some((p) => p.startsWith('robot message lacks msgId'))).toBe(true);
    expect(rig.fake.server.connectionCount).toBe(1);
  });

  it('pings the socket: acked pings feed liveness, and a socket that stops answering is replaced', async () => {
    rig = await startRig({ heartbeatIntervalMs: 150 });
    const first = rig.adapter.liveness().lastHeartbeatAt ?? 0;
    await waitFor(() => (rig!.adapter.liveness().lastHeartbeatAt ?? 0) > first + 200, {
      timeoutMs: 3_000,
      what: 'acked pings to move lastHeartbeatAt with no frames at all',
    });
    expect(rig.adapter.liveness().heartbeatIntervalMs).toBe(150);
    // The server stops reading: the socket looks open, but no pong comes back (spec §9: silent dead sockets).
    for (const socket of rig.fake.server.sockets) {
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    }
    await waitFor(() => rig!.fake.server.connectionCount === 2 && rig!.fake.streamOnline, {
      timeoutMs: 5_000,
      what: 'a new connection after the unanswered ping',
    });
    const log = rig.context.logger.find('warn').map((e) => e.msg);
    expect(log.some((m) => m.includes('heartbeat ack timeout'))).toBe(true);
    await rig.fake.deliverDm('on the new socket');
    await rig.context.waitForReceived((m) => m.text === 'on the new socket', 5_000);
  });
});
