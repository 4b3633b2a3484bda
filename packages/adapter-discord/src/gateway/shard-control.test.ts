import { SimpleContextFetchingStrategy, WebSocketManager, WebSocketShard } from '@discordjs/ws';
import { REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ShardControl } from './shard-control.js';

const hooks = {
  onAttempt: () => {},
  onCloseTimeout: () => {},
  onGarbageFrame: () => {},
  onHello: () => {},
  onHeartbeatAck: () => {},
};
const options = {
  shardId: 0,
  backoff: { kind: 'exponential' as const, initialMs: 1, maxMs: 1 },
  closeTimeoutMs: 100,
  hooks,
};

function realShard(): WebSocketShard {
  const manager = new WebSocketManager({ token: 't', intents: 0, rest: new REST() });
  const strategy = new SimpleContextFetchingStrategy(manager, {
    ...manager.options,
    gatewayInformation: {
      url: 'ws://127.0.0.1:1',
      shards: 1,
      session_start_limit: { total: 1, remaining: 1, reset_after: 1, max_concurrency: 1 },
    },
    shardCount: 1,
  });
  return new WebSocketShard(strategy, 0);
}

describe('ShardControl', () => {
  it('judges frames from what @discordjs/ws parsed, without parsing them a second time', async () => {
    const shard = realShard();
    const reported: unknown[] = [];
    new ShardControl(shard, { ...options, hooks: { ...hooks, onGarbageFrame: (i) => reported.push(i) } });
    // Wrapped on the instance: the socket listener that decoded and parsed every frame again is gone.
    expect(Object.hasOwn(shard, 'unpackMessage')).toBe(true);
    const unpack = (shard as unknown as { unpackMessage(d: string, b: boolean): Promise<unknown> })
      .unpackMessage;
    expect(await unpack('{"op":11,"d":null}', false)).toEqual({ op: 11, d: null });
    expect(await unpack('this is not json {', false)).toBeNull();
    expect(await unpack('{"hello":"no op field"}', false)).toEqual({ hello: 'no op field' });
    expect(reported).toEqual([
      { shardId: 0, bytes: 18, binary: false, sample: 'this is not json {' },
      { shardId: 0, bytes: 23, binary: false, sample: '{"hello":"no op field"}' },
    ]);
  });

  it('can wrap the pinned @discordjs/ws WebSocketShard (its private internalConnect still exists)', () => {
    const manager = new WebSocketManager({ token: 't', intents: 0, rest: new REST() });
    const strategy = new SimpleContextFetchingStrategy(manager, {
      ...manager.options,
      gatewayInformation: {
        url: 'ws://127.0.0.1:1',
        shards: 1,
        session_start_limit: { total: 1, remaining: 1, reset_after: 1, max_concurrency: 1 },
      },
      shardCount: 1,
    });
    const shard = new WebSocketShard(strategy, 0);
    expect(() => new ShardControl(shard, options)).not.toThrow();
    expect(Object.hasOwn(shard, 'internalConnect')).toBe(true);
  });

  it('refuses a shard without internalConnect with a message naming the fix', () => {
    const fake = { destroy: async () => {}, on: () => {} } as unknown as WebSocketShard;
    expect(() => new ShardControl(fake, options)).toThrow(/not supported/);
  });
});
