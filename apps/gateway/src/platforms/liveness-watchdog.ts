import { judgeLiveness, type Logger, type PlatformAdapter, type StallVerdict } from '@hermes/adapter-core';

export interface WatchedPlatform {
  platform: string;
  adapter: PlatformAdapter;
  /** Only an online platform can stall; one that is connecting or failed is the supervisor's already. */
  online: boolean;
}

export interface LivenessWatchdogOptions {
  platforms(): Iterable<WatchedPlatform>;
  /** Reconnects a stalled platform (stop, then start). */
  reconnect(platform: string, reason: string): void;
  /** Called every tick, so `hermes status` shows fresh last-inbound and last-send ages. */
  onTick?(): void;
  logger: Logger;
  intervalMs?: number;
  now?: () => number;
}

/**
 * Every `intervalMs` asks each online adapter what it saw last (`liveness()`) and reconnects one whose own
 * heartbeat has gone quiet: a Telegram polling loop stuck after a 409, a WebSocket whose pings pass but
 * whose events stopped. Returns the stop function.
 */
export function startLivenessWatchdog(o: LivenessWatchdogOptions): () => void {
  const now = o.now ?? Date.now;
  const tick = () => {
    for (const p of o.platforms()) {
      if (!p.online || !p.adapter.liveness) continue;
      const verdict: StallVerdict = judgeLiveness(p.adapter.liveness(), now());
      if (!verdict.stalled) continue;
      o.logger.warn('platform stalled: reconnecting it', { platform: p.platform, reason: verdict.reason });
      o.reconnect(p.platform, `stalled: ${verdict.reason}`);
    }
    o.onTick?.();
  };
  const timer = setInterval(tick, o.intervalMs ?? 15_000);
  timer.unref();
  return () => clearInterval(timer);
}
