import type { AdapterStatus } from '../contract.js';
import type { Logger } from '../logger.js';
import type { BackoffPolicy } from './backoff.js';

/** Why a connection ended. `error` is what the transport reported, if anything; it decides fatality. */
export interface ConnectionDrop {
  reason: string;
  error?: unknown;
}

/**
 * One live connection as the supervisor sees it. The adapter builds it in `connect()` (socket open and, where
 * the platform wants one, the auth handshake done).
 */
export interface SupervisedConnection {
  /** Settles once the connection is gone, whoever ended it. A rejection counts as a drop with that error. */
  closed: Promise<ConnectionDrop>;
  /** Ends the connection. Must be idempotent: the supervisor may call it after `closed` has settled. */
  close(reason: string): void;
}

/** Application-level keepalive: the only reliable way to notice a socket that looks open but is dead. */
export interface HeartbeatOptions {
  intervalMs: number;
  /** How long `send()` may take to resolve (the platform's ack) before the connection is declared dead. */
  timeoutMs: number;
  /** Sends one ping and resolves when the platform acknowledged it. */
  send(): Promise<void>;
}

export interface ConnectionSupervisorOptions {
  /** Used in every log line and status detail, e.g. `wecom`. */
  name: string;
  logger: Logger;
  /**
   * Opens a connection. Should honour `signal` (aborted on stop or connect timeout); a connection that
   * arrives after the abort is closed straight away.
   */
  connect(signal: AbortSignal, attempt: number): Promise<SupervisedConnection>;
  /** Defaults to WeCom's schedule 2, 5, 10, 30, 60 s with 20 % jitter. */
  backoff?: BackoffPolicy;
  heartbeat?: HeartbeatOptions;
  /** Force a reconnect when `markActivity()` was not called for this long. Off when absent. */
  staleAfterMs?: number;
  /** Called on every sign of life (a heartbeat ack, `markActivity()`): feed it to a `LivenessTracker`. */
  onActivity?(): void;
  onStatus?(status: AdapterStatus, detail?: string): void;
  /** Errors that no retry can fix. Default: AdapterError with code auth_failed, config_invalid or forbidden. */
  isFatal?(error: unknown): boolean;
  /** Aborting it stops the supervisor, like `stop()`. */
  signal?: AbortSignal;
  /** Upper bound for one `connect()` call; 0 disables it. Default 30 s. */
  connectTimeoutMs?: number;
  /** Source of randomness for the jitter (tests pin it). */
  random?: () => number;
}
