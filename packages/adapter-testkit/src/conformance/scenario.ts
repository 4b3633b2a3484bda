import type { Capabilities } from '@hermes/adapter-core';
import type { ConformanceDriver, ConformanceHarness, ResolvedTimeouts } from './types.js';

/** What a scenario gets: a started adapter on its fake. */
export interface ScenarioRun {
  harness: ConformanceHarness;
  driver: ConformanceDriver;
  timeouts: ResolvedTimeouts;
  /** Stops the adapter now (the lifecycle then does not stop it again). */
  stopAdapter(): Promise<void>;
  /** Listening TCP servers in this process after setup(), before adapter.start(). */
  listenersBeforeStart: number;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  /**
   * Why this adapter cannot run the scenario, read from its capability flags (or the driver's
   * `serverConnection`). `caps` is undefined at registration when the driver declares none.
   */
  unsupported?(caps: Capabilities | undefined, driver: ConformanceDriver): string | undefined;
  /** Runs on the harness before `adapter.start()` (what an adapter must do while not started). */
  beforeStart?(harness: ConformanceHarness): Promise<void>;
  run(s: ScenarioRun): Promise<void>;
}

export type ScenarioId =
  | 'start-online'
  | 'capabilities'
  | 'dm-text'
  | 'group-mention'
  | 'group-without-mention'
  | 'thread-reply'
  | 'long-reply-split'
  | 'idempotent-send'
  | 'media-out'
  | 'media-in'
  | 'edit'
  | 'delete'
  | 'typing'
  | 'reactions'
  | 'reconnect'
  | 'rate-limit'
  | 'malformed'
  | 'clean-stop'
  | 'contract-members'
  | 'lifecycle-errors';

/** A token unlikely to appear by chance, so each scenario finds its own messages. */
export function uniqueToken(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}

/** Listening TCP servers in this process: an adapter's webhook server must be gone after stop(). */
export function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}
