import { type ChildProcess, fork } from 'node:child_process';

/** A helper process (usually the platform fake) that answers `{type, id, ...args}` IPC calls. */
export interface BenchProcess<Info> {
  /** The first message the process sends: what it listens on and its credentials. */
  ready: Promise<Info>;
  /** Sends `{...args, type, id}` and resolves with the reply's `result` (rejects with its `error`). */
  call<Result = unknown>(type: string, args?: Record<string, unknown>): Promise<Result>;
  child: ChildProcess;
}

interface Reply {
  id?: number;
  result?: unknown;
  error?: string;
}

/**
 * Forks `script` so that the load it generates does not share this process's CPU time with the code
 * being measured. The script answers each call with `{id, result}` or `{id, error}`.
 */
export function forkBenchProcess<Info>(script: URL | string): BenchProcess<Info> {
  const child = fork(script, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<Info>((resolve, reject) => {
    child.once('message', (msg) => resolve(msg as Info));
    child.once('error', reject);
  });
  let n = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (msg: Reply) => {
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w || msg.id === undefined) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.result);
  });
  const call = <Result>(type: string, args: Record<string, unknown> = {}) =>
    new Promise<Result>((resolve, reject) => {
      const id = ++n;
      waiting.set(id, { resolve: (value) => resolve(value as Result), reject });
      child.send({ ...args, type, id });
    });
  return { ready, call, child };
}
