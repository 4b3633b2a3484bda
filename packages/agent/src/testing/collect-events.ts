import type { AgentEvent } from '../types.js';

export type DoneEvent = Extract<AgentEvent, { type: 'done' }>;

export interface CollectedTurn {
  events: AgentEvent[];
  done: DoneEvent;
  /** Concatenated text-delta events. */
  streamed: string;
  ofType<K extends AgentEvent['type']>(type: K): Array<Extract<AgentEvent, { type: K }>>;
}

/**
 * Drains a turn, failing instead of hanging: rejects if no `done` arrives within `timeoutMs`.
 * `onEvent` sees each event as it comes (e.g. to approve a request or abort mid-turn).
 */
export async function collectTurn(
  turn: AsyncIterable<AgentEvent>,
  o: { timeoutMs?: number; onEvent?: (event: AgentEvent) => void } = {},
): Promise<CollectedTurn> {
  const events: AgentEvent[] = [];
  const timeoutMs = o.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const drain = (async () => {
    for await (const event of turn) {
      events.push(event);
      o.onEvent?.(event);
    }
  })();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`turn did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([drain, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const last = events[events.length - 1];
  if (last?.type !== 'done') throw new Error('turn ended without a done event');
  if (events.filter((e) => e.type === 'done').length !== 1)
    throw new Error('turn sent more than one done event');
  return {
    events,
    done: last,
    streamed: events.map((e) => (e.type === 'text-delta' ? e.text : '')).join(''),
    ofType: <K extends AgentEvent['type']>(type: K) =>
      events.filter((e): e is Extract<AgentEvent, { type: K }> => e.type === type),
  };
}
