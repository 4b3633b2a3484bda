import { randomBytes } from 'node:crypto';
import { type CommandHandle, startCommand } from './run-command.js';

/** Spec 5.4 `display.background_process_notifications`. */
export type BackgroundNotifyMode = 'all' | 'concise' | 'result' | 'error' | 'off';

export interface BackgroundProcessInfo {
  id: string;
  sessionKey: string;
  command: string;
  pid?: number;
  startedAt: number;
  /** The turn's context at spawn time, so a notice can be routed to the chat that started it. */
  context: Record<string, unknown>;
}

export type BackgroundProcessEvent =
  | { type: 'progress'; process: BackgroundProcessInfo; output: string }
  | {
      type: 'exit';
      process: BackgroundProcessInfo;
      exitCode: number | null;
      output: string;
      durationMs: number;
    };

export interface BackgroundProcessesOptions {
  /** The host injects these as synthetic user turns (see `formatBackgroundNotice`). */
  onEvent(event: BackgroundProcessEvent): void;
  notify?: BackgroundNotifyMode;
  /** Progress cadence for `all`; `concise` reports ten times less often. Default 60 s. */
  progressIntervalMs?: number;
  /** Running processes per session. Default 8. */
  maxPerSession?: number;
  maxOutputChars?: number;
  killGraceMs?: number;
}

export interface BackgroundStartInput {
  sessionKey: string;
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  shell: string;
  context: Record<string, unknown>;
}

export interface BackgroundProcesses {
  start(
    input: BackgroundStartInput,
  ): { ok: true; process: BackgroundProcessInfo } | { ok: false; error: string };
  list(sessionKey?: string): BackgroundProcessInfo[];
  /** `/stop` (current behaviour): end a session's background processes, without notices. Returns how many. */
  stop(sessionKey: string): Promise<number>;
  /** Gateway shutdown. */
  stopAll(): Promise<void>;
}

interface Running {
  info: BackgroundProcessInfo;
  handle: CommandHandle;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

const FINAL_CHARS = 1000;
const PROGRESS_CHARS = 500;

/** The synthetic user-turn text for a notice, worded as spec 5.4 gives it. */
export function formatBackgroundNotice(event: BackgroundProcessEvent): string {
  if (event.type === 'progress') {
    return `[Background process ${event.process.id} is still running. New output: ${event.output}]`;
  }
  const code = event.exitCode === null ? 'unknown' : String(event.exitCode);
  return `[Background process ${event.process.id} finished with exit code ${code}. Final output: ${event.output}]`;
}

export function createBackgroundProcesses(options: BackgroundProcessesOptions): BackgroundProcesses {
  const mode = options.notify ?? 'concise';
  const running = new Map<string, Running>();
  const interval = (options.progressIntervalMs ?? 60_000) * (mode === 'concise' ? 10 : 1);

  function watchProgress(entry: Running): void {
    if (mode !== 'all' && mode !== 'concise') return;
    let reported = 0;
    entry.timer = setInterval(() => {
      const total = entry.handle.output.total;
      if (total === reported) return;
      const fresh = entry.handle.output.lastChars(Math.min(PROGRESS_CHARS, total - reported));
      reported = total;
      options.onEvent({ type: 'progress', process: entry.info, output: fresh });
    }, interval);
    entry.timer.unref();
  }

  function start(input: BackgroundStartInput) {
    const mine = [...running.values()].filter((r) => r.info.sessionKey === input.sessionKey);
    const max = options.maxPerSession ?? 8;
    if (mine.length >= max) {
      return { ok: false as const, error: `This session already has ${max} background processes running.` };
    }
    const handle = startCommand({
      command: input.command,
      cwd: input.cwd,
      env: input.env,
      shell: input.shell,
      maxOutputChars: options.maxOutputChars ?? 20_000,
      killGraceMs: options.killGraceMs ?? 1000,
    });
    const info: BackgroundProcessInfo = {
      id: `proc_${randomBytes(3).toString('hex')}`,
      sessionKey: input.sessionKey,
      command: input.command,
      ...(handle.pid === undefined ? {} : { pid: handle.pid }),
      startedAt: Date.now(),
      context: input.context,
    };
    const entry: Running = { info, handle, stopped: false };
    running.set(info.id, entry);
    watchProgress(entry);
    void handle.finished.then((outcome) => {
      clearInterval(entry.timer);
      running.delete(info.id);
      if (entry.stopped || mode === 'off') return;
      const exitCode =
        outcome.kind === 'exited' ? outcome.exitCode : outcome.kind === 'spawn-failed' ? 127 : null;
      if (mode === 'error' && exitCode === 0) return;
      const output = outcome.kind === 'spawn-failed' ? outcome.message : handle.output.lastChars(FINAL_CHARS);
      options.onEvent({
        type: 'exit',
        process: info,
        exitCode,
        output,
        durationMs: Date.now() - info.startedAt,
      });
    });
    return { ok: true as const, process: info };
  }

  async function stopWhere(match: (r: Running) => boolean): Promise<number> {
    const victims = [...running.values()].filter(match);
    for (const v of victims) {
      v.stopped = true;
      v.handle.stop('interrupted');
    }
    await Promise.all(victims.map((v) => v.handle.finished));
    return victims.length;
  }

  return {
    start,
    list: (sessionKey) =>
      [...running.values()]
        .map((r) => r.info)
        .filter((i) => sessionKey === undefined || i.sessionKey === sessionKey),
    stop: (sessionKey) => stopWhere((r) => r.info.sessionKey === sessionKey),
    stopAll: async () => {
      await stopWhere(() => true);
    },
  };
}
