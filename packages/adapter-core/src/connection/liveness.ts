import type { Logger } from '../logger.js';
import { describeError } from './describe-error.js';
import type { ConnectionDrop, HeartbeatOptions } from './supervised-connection.js';

/** A drop as the supervisor's loop sees it; `immediate` skips the backoff for the next attempt. */
export type PhaseEnd = ConnectionDrop & { immediate?: boolean };

/** Arms a timer owned by the current online phase; returns its cancel function. */
export type Arm = (fn: () => void, ms: number) => () => void;

/** What a liveness check needs from one online phase of the supervisor. */
export interface LivenessPhase {
  name: string;
  logger: Logger;
  arm: Arm;
  isEnded(): boolean;
  end(drop: PhaseEnd): void;
}

/**
 * Sends a ping every `intervalMs` (counted from the previous ack, so pings never overlap) and ends the
 * phase when one is not acked within `timeoutMs` or fails: a socket can look open for a minute while the
 * platform has already forgotten it.
 */
export function runHeartbeat(phase: LivenessPhase, hb: HeartbeatOptions, onAck: () => void): void {
  const beat = () => {
    if (phase.isEnded()) return;
    let answered = false;
    const cancelTimeout = phase.arm(() => {
      if (answered || phase.isEnded()) return;
      answered = true;
      phase.logger.warn(`${phase.name}: heartbeat ack timeout after ${hb.timeoutMs} ms`);
      phase.end({ reason: 'heartbeat ack timeout' });
    }, hb.timeoutMs);
    Promise.resolve()
      .then(() => hb.send())
      .then(
        () => {
          if (answered || phase.isEnded()) return;
          answered = true;
          cancelTimeout();
          onAck();
          phase.arm(beat, hb.intervalMs);
        },
        (error: unknown) => {
          if (answered || phase.isEnded()) return;
          answered = true;
          cancelTimeout();
          phase.end({ reason: `heartbeat failed: ${describeError(error)}` });
        },
      );
  };
  phase.arm(beat, hb.intervalMs);
}

/**
 * Ends the phase when nothing arrived for `staleAfterMs`. One timer per window rather than one per frame:
 * marking activity only records a timestamp, and the timer re-arms for whatever is left of the window.
 */
export function runWatchdog(phase: LivenessPhase, staleAfterMs: number, lastActivity: () => number): void {
  const check = () => {
    if (phase.isEnded()) return;
    const idle = Date.now() - lastActivity();
    if (idle >= staleAfterMs) {
      phase.logger.warn(`${phase.name}: no inbound activity for ${idle} ms, forcing a reconnect`);
      phase.end({ reason: `stale: no activity for ${idle} ms` });
    } else {
      phase.arm(check, staleAfterMs - idle);
    }
  };
  phase.arm(check, staleAfterMs);
}
