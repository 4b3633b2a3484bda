import { createMemoryLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { type LaneRunContext, LaneScheduler } from './lane-scheduler.js';

/** Each run waits for its release; `steer` says what the run takes from its inbox before finishing. */
function controlledRunner() {
  const turns: Array<{ items: string[]; steered: string[] }> = [];
  const releases: Array<(takeSteered: boolean) => void> = [];
  const runner = async (items: string[], ctx: LaneRunContext<string>) => {
    const turn = { items, steered: [] as string[] };
    turns.push(turn);
    const take = await new Promise<boolean>((resolve) => {
      releases.push(resolve);
      ctx.signal.addEventListener('abort', () => resolve(false));
    });
    if (take) turn.steered = ctx.takeSteered();
  };
  return { turns, releases, runner };
}

const tick = () => new Promise((r) => setImmediate(r));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await tick();
  if (!check()) throw new Error('condition not reached within 500 ticks');
}

describe('busy input modes in the lane', () => {
  it('queue: every waiting message gets its own turn, in arrival order', async () => {
    const { turns, releases, runner } = controlledRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    expect(lanes.submit('k', 'a', { mode: 'queue' })).toBe('started');
    await until(() => turns.length === 1);
    expect(lanes.submit('k', 'b', { mode: 'queue' })).toBe('queued');
    expect(lanes.submit('k', 'c', { mode: 'queue' })).toBe('queued');
    expect(lanes.queued('k')).toBe(2);
    for (let n = 1; n <= 3; n++) {
      await until(() => releases.length === n);
      releases[n - 1]?.(false);
    }
    await lanes.idle('k');
    expect(turns.map((t) => t.items)).toEqual([['a'], ['b'], ['c']]);
  });

  it('steer: the run takes the message; nothing is left for another turn', async () => {
    const { turns, releases, runner } = controlledRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    lanes.submit('k', 'a');
    await until(() => releases.length === 1);
    expect(lanes.submit('k', 's1', { mode: 'steer' })).toBe('steered');
    expect(lanes.submit('k', 's2', { mode: 'steer' })).toBe('steered');
    releases[0]?.(true);
    await lanes.idle('k');
    expect(turns).toEqual([{ items: ['a'], steered: ['s1', 's2'] }]);
  });

  it('steer: what the run never took becomes turns of its own, in arrival order with queued ones', async () => {
    const { turns, releases, runner } = controlledRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    lanes.submit('k', 'a');
    await until(() => releases.length === 1);
    lanes.submit('k', 's1', { mode: 'steer' });
    lanes.submit('k', 'q1', { mode: 'queue' });
    lanes.submit('k', 's2', { mode: 'steer' });
    releases[0]?.(false);
    for (let n = 2; n <= 4; n++) {
      await until(() => releases.length === n);
      releases[n - 1]?.(false);
    }
    await lanes.idle('k');
    expect(turns.map((t) => t.items)).toEqual([['a'], ['s1'], ['q1'], ['s2']]);
  });

  it('/stop with discard drops steered messages too, and reports them', async () => {
    const { releases, runner } = controlledRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    lanes.submit('k', 'a');
    await until(() => releases.length === 1);
    lanes.submit('k', 's1', { mode: 'steer' });
    lanes.submit('k', 'q1', { mode: 'queue' });
    expect(lanes.interrupt('k', { discardQueued: true })).toEqual({
      wasRunning: true,
      dropped: ['s1', 'q1'],
    });
    await lanes.idle('k');
    expect(releases).toHaveLength(1);
  });
});
