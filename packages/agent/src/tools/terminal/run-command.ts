import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CappedOutput } from './output-buffer.js';

export interface StartCommandOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  shell: string;
  maxOutputChars: number;
  /** Grace between SIGTERM and SIGKILL. */
  killGraceMs: number;
}

export interface RunCommandOptions extends StartCommandOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

export type StopReason = 'timed-out' | 'interrupted';

export type CommandOutcome =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; output: string; pid?: number }
  | { kind: StopReason; output: string; pid?: number }
  | { kind: 'spawn-failed'; message: string };

/** A command running in its own process group. */
export interface CommandHandle {
  readonly pid: number | undefined;
  readonly output: CappedOutput;
  /** Settles once the process and everything in its group are gone (bounded), never rejects. */
  readonly finished: Promise<CommandOutcome>;
  /** SIGTERM to the group, SIGKILL after the grace; the outcome reports `reason`. */
  stop(reason: StopReason): void;
}

/** Signal a whole process group; a group that is already gone is not an error. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to kill.
  }
}

/**
 * Is any process of the group still running? A killed process stays visible to `kill(-pgid, 0)` as a
 * zombie until its new parent reaps it, and some container init processes reap slowly; on Linux we
 * read /proc and ignore zombies, elsewhere we fall back to signal 0.
 */
export function groupAlive(pgid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited while we looked
      }
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts a shell command in its own process group (detached), so an interrupt or timeout can take down
 * everything it started: SIGTERM first, SIGKILL after the grace period.
 */
export function startCommand(o: StartCommandOptions): CommandHandle {
  const output = new CappedOutput(o.maxOutputChars);
  let stopReason: StopReason | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const child = spawn(o.shell, ['-c', o.command], {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  child.stdout.setEncoding('utf8').on('data', (s: string) => output.append(s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => output.append(s));

  const finished = new Promise<CommandOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: CommandOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    child.on('error', (error) => {
      clearTimeout(killTimer);
      finish({ kind: 'spawn-failed', message: error.message });
    });
    child.on('exit', (exitCode, signal) => {
      // A background child may still hold the pipes open after the shell is gone: stop waiting for
      // output after a short drain instead of hanging on it.
      const drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 200);
      const report = () => {
        clearTimeout(drain);
        const text = output.toString();
        const withPid = pid === undefined ? {} : { pid };
        if (stopReason) finish({ kind: stopReason, output: text, ...withPid });
        else finish({ kind: 'exited', exitCode, signal, output: text, ...withPid });
      };
      const afterOutput = () => {
        if (!stopReason || pid === undefined) return report();
        // When stopping, report only once the whole group is gone (SIGKILL is due after the grace).
        // Bounded, in case a process we cannot see or signal lingers.
        const giveUpAt = Date.now() + o.killGraceMs + 1000;
        const check = () => {
          const alive = groupAlive(pid);
          if (alive && Date.now() < giveUpAt) return;
          if (!alive) clearTimeout(killTimer);
          clearInterval(poll);
          report();
        };
        const poll = setInterval(check, 50);
        check();
      };
      if (child.stdout.closed && child.stderr.closed) afterOutput();
      else child.once('close', afterOutput);
    });
  });

  return {
    pid,
    output,
    finished,
    stop(reason) {
      if (stopReason || pid === undefined) return;
      stopReason = reason;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), o.killGraceMs);
    },
  };
}

/** Runs a command to completion, stopping it on timeout or when `signal` aborts. */
export async function runCommand(o: RunCommandOptions): Promise<CommandOutcome> {
  if (o.signal.aborted) return { kind: 'interrupted', output: '' };
  const handle = startCommand(o);
  const onAbort = () => handle.stop('interrupted');
  const timeout = setTimeout(() => handle.stop('timed-out'), o.timeoutMs);
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await handle.finished;
  } finally {
    clearTimeout(timeout);
    o.signal.removeEventListener('abort', onAbort);
  }
}
