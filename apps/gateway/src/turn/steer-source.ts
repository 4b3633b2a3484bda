import type { SteerSource } from '@hermes/agent';
import type { HostRuntime } from '../host/runtime.js';
import { composeUserText, type PendingInput } from './compose-turn.js';
import type { LaneRunContext } from './lane-scheduler.js';

/** What the steer source needs from the host. */
export type SteerDeps = Pick<HostRuntime, 'logger'>;

/**
 * Hands the messages steered into a running turn to the agent. Their journal rows join the turn's own
 * (`journalIds` is the turn's list, grown in place), so they are finished exactly when the turn is, and
 * replayed after a crash like the message that started it.
 */
export function steerSourceFor(
  rt: SteerDeps,
  lane: LaneRunContext<PendingInput>,
  journalIds: number[],
  shared: boolean,
): SteerSource {
  return {
    async drain() {
      const texts: string[] = [];
      for (const item of lane.takeSteered()) {
        journalIds.push(...item.journalIds);
        const text = await composeUserText([item], { shared, logger: rt.logger });
        if (text) texts.push(text);
      }
      return texts;
    },
  };
}
