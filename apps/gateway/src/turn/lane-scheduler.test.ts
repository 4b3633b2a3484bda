import { createMemoryLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { LaneScheduler } from './lane-scheduler.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A runner that records every turn and waits until released or aborted. */
function recordingRunner() {
  const turns: Array<{ key: string; items: string[]; aborted: boolean }> = [];
  const gates: Array<ReturnType<typeof deferred>> = [];
  const runner = async (items: string[], ctx: { sessionKey: string; signal: AbortSignal }) => {
    const gate = deferred();
    gates.push(gate);
    const turn = { key: ctx.sessionKey, items, aborted: false };
    turns.push(turn);
    await new Promise<void>((resolve) => {
      gate.promise.then(resolve);
      ctx.signal.addEventListener('abort', () => {
        turn.aborted = true;
        resolve();
      });
    });
  };
  return { turns, gates, runner };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('LaneScheduler', () => {
  it('interrupts a run and combines every message that arrived mid-run, in order', async () => {
    const { turns, gates, runner } = recordingRunner();
    const lanes = new LaneScheduler(runner, {
      maxConcurrent: 4,
      logger: createMemoryLogger(),
      interruptSettleMs: 0,
    });
    expect(lanes.submit('k', 'first')).toBe('started');
    await tick();
    expect(lanes.submit('k', 'second')).toBe('interrupting');
    expect(lanes.submit('k', 'third')).toBe('interrupting');
    await tick();
    await tick();
    expect(turns[0]).toEqual({ key: 'k', items: ['first'], aborted: true });
    expect(turns[1]?.items).toEqual(['second', 'third']);
    gates[1]?.resolve();
    await lanes.idle('k');
    expect(turns).toHaveLength(2);
  });

  it('after an interrupt, waits a short settle window so a burst of follow-ups becomes one turn', async () => {
    const { turns, gates, runner } = recordingRunner();
    const lanes = new LaneScheduler(runner, {
      maxConcurrent: 4,
      logger: createMemoryLogger(),
      interruptSettleMs: 100,
    });
    lanes.submit('k', 'first');
    await tick();
    lanes.submit('k', 'second');
    await new Promise((r) => setTimeout(r, 30));
    // The interrupted run has ended; 'third' still joins 'second' because the next turn has not started.
    expect(turns[0]?.aborted).toBe(true);
    expect(turns).toHaveLength(1);
    lanes.submit('k', 'third');
    await new Promise((r) => setTimeout(r, 150));
    expect(turns[1]?.items).toEqual(['second', 'third']);
    gates[1]?.resolve();
    await lanes.idle('k');
  });

  it('queues without interrupting when asked (/queue)', async () => {
    const { turns, gates, runner } = recordingRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 4, logger: createMemoryLogger() });
    lanes.submit('k', 'a');
    await tick();
    expect(lanes.submit('k', 'b', { mode: 'queue' })).toBe('queued');
    await tick();
    expect(turns[0]?.aborted).toBe(false);
    gates[0]?.resolve();
    await tick();
    await tick();
    expect(turns[1]?.items).toEqual(['b']);
    gates[1]?.resolve();
    await lanes.idle('k');
  });

  it('never makes one session wait for another, within the global cap', async () => {
    const { turns, gates, runner } = recordingRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    lanes.submit('a', 'a1');
    lanes.submit('b', 'b1');
    lanes.submit('c', 'c1');
    await tick();
    expect(turns.map((t) => t.key)).toEqual(['a', 'b']);
    expect(lanes.activeRuns).toBe(2);
    gates[1]?.resolve();
    await lanes.idle('b');
    await tick();
    expect(turns.map((t) => t.key)).toEqual(['a', 'b', 'c']);
    gates[0]?.resolve();
    gates[2]?.resolve();
    await Promise.all([lanes.idle('a'), lanes.idle('c')]);
  });

  it('/stop interrupts and can discard the queue; drain stops everything', async () => {
    const { turns, runner } = recordingRunner();
    const lanes = new LaneScheduler(runner, { maxConcurrent: 2, logger: createMemoryLogger() });
    lanes.submit('k', 'a');
    await tick();
    lanes.submit('k', 'b', { mode: 'queue' });
    const stopped = lanes.interrupt('k', { discardQueued: true });
    expect(stopped).toEqual({ wasRunning: true, dropped: ['b'] });
    await lanes.idle('k');
    expect(turns).toHaveLength(1);
    expect(lanes.interrupt('idle-key')).toEqual({ wasRunning: false, dropped: [] });
    lanes.submit('x', 'x1');
    await tick();
    expect(await lanes.drain(1000)).toBe(0);
    expect(() => lanes.submit('x', 'late')).toThrow('shutting down');
  });

  it('keeps going after a run throws', async () => {
    const seen: string[][] = [];
    const logger = createMemoryLogger();
    const lanes = new LaneScheduler<string>(
      async (items) => {
        seen.push(items);
        if (items[0] === 'boom') throw new Error('kaput');
      },
      { maxConcurrent: 1, logger },
    );
    lanes.submit('k', 'boom');
    await lanes.idle('k');
    lanes.submit('k', 'fine');
    await lanes.idle('k');
    expect(seen).toEqual([['boom'], ['fine']]);
    expect(logger.find('error', 'kaput')).toHaveLength(1);
  });
});
