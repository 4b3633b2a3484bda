import { Collection } from '@discordjs/collection';
import {
  type IShardingStrategy,
  managerToFetchingStrategyOptions,
  SimpleContextFetchingStrategy,
  type WebSocketManager,
  WebSocketShard,
  type WebSocketShardDestroyOptions,
  WebSocketShardEvents,
  type WebSocketShardStatus,
} from '@discordjs/ws';
import type { BackoffPolicy } from '@hermes/adapter-core';
import type { GatewayDispatchPayload, GatewaySendPayload } from 'discord.js';
import { type ShardConnectionHooks, ShardControl } from './shard-control.js';

export interface GatewayHooks extends ShardConnectionHooks {
  onClosed(info: { shardId: number; code: number }): void;
  onReady(info: { shardId: number }): void;
  onResumed(info: { shardId: number }): void;
  /** False drops the dispatch before discord.js sees it (a payload that would make it throw). */
  acceptDispatch(payload: GatewayDispatchPayload, shardId: number): boolean;
  /** discord.js (or a listener of ours) threw while handling an event; the socket goes on. */
  onHandlerError(info: { shardId: number; event: string; error: unknown }): void;
  onDebug(info: { shardId: number; message: string }): void;
}

export interface GatewayStrategyOptions {
  backoff: BackoffPolicy;
  closeTimeoutMs: number;
  handshakeTimeoutMs: number;
  helloTimeoutMs: number;
  readyTimeoutMs: number;
  hooks: GatewayHooks;
  random?: () => number;
}

type Emit = (event: string, payload: Record<string, unknown>) => void;

/**
 * The in-process sharding strategy of @discordjs/ws (what its SimpleShardingStrategy does), plus a
 * ShardControl per shard for reconnect backoff and zombie handling, and one choke point where every
 * event passes from a shard to discord.js: malformed dispatches are dropped there and anything discord.js
 * throws while handling an event is caught and reported instead of becoming an unhandled rejection
 * that would end the process.
 */
export class DiscordGatewayStrategy implements IShardingStrategy {
  readonly shards = new Collection<number, WebSocketShard>();
  readonly controls = new Map<number, ShardControl>();

  constructor(
    private readonly manager: WebSocketManager,
    private readonly options: GatewayStrategyOptions,
  ) {}

  async spawn(shardIds: number[]): Promise<void> {
    const base = await managerToFetchingStrategyOptions(this.manager);
    const fetching = new SimpleContextFetchingStrategy(this.manager, {
      ...base,
      handshakeTimeout: this.options.handshakeTimeoutMs,
      helloTimeout: this.options.helloTimeoutMs,
      readyTimeout: this.options.readyTimeoutMs,
    });
    for (const shardId of shardIds) {
      const shard = new WebSocketShard(fetching, shardId);
      const controlOptions = {
        shardId,
        backoff: this.options.backoff,
        closeTimeoutMs: this.options.closeTimeoutMs,
        hooks: this.options.hooks,
        ...(this.options.random ? { random: this.options.random } : {}),
      };
      this.controls.set(shardId, new ShardControl(shard, controlOptions));
      this.#wire(shard, shardId);
      this.shards.set(shardId, shard);
    }
  }

  #wire(shard: WebSocketShard, shardId: number): void {
    const hooks = this.options.hooks;
    const emit = this.manager.emit.bind(this.manager) as unknown as Emit;
    const on = shard.on.bind(shard) as unknown as (
      event: string,
      listener: (payload?: object) => void,
    ) => void;
    for (const event of Object.values(WebSocketShardEvents)) {
      on(event, (payload) => {
        const data = payload as
          | { data?: GatewayDispatchPayload; code?: number; message?: string }
          | undefined;
        if (
          event === WebSocketShardEvents.Dispatch &&
          data?.data &&
          !hooks.acceptDispatch(data.data, shardId)
        )
          return;
        if (event === WebSocketShardEvents.Closed) hooks.onClosed({ shardId, code: data?.code ?? 1006 });
        if (event === WebSocketShardEvents.Ready) hooks.onReady({ shardId });
        if (event === WebSocketShardEvents.Resumed) hooks.onResumed({ shardId });
        if (event === WebSocketShardEvents.Debug) hooks.onDebug({ shardId, message: data?.message ?? '' });
        try {
          emit(event, { ...(payload ?? {}), shardId });
        } catch (error) {
          hooks.onHandlerError({ shardId, event, error });
        }
      });
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.connect()));
  }

  async destroy(options?: Omit<WebSocketShardDestroyOptions, 'recover'>): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.destroy(options)));
    this.shards.clear();
    this.controls.clear();
  }

  async send(shardId: number, payload: GatewaySendPayload): Promise<void> {
    const shard = this.shards.get(shardId);
    if (!shard) throw new RangeError(`Discord shard ${shardId} not found`);
    return shard.send(payload);
  }

  async fetchStatus(): Promise<Collection<number, WebSocketShardStatus>> {
    return this.shards.mapValues((shard) => shard.status);
  }
}
