import type { ChatRef, Logger } from '@hermes/adapter-core';
import {
  chatOf,
  clearUpdateFiles,
  outputTail,
  readExitCode,
  readPending,
  type UpdateFiles,
} from './update-files.js';

export interface UpdateWatcherDeps {
  files: UpdateFiles;
  deliver(chat: ChatRef, text: string): Promise<void>;
  /** Whether something (a service manager) would start the gateway again after it exits. */
  canRestart(): boolean;
  /** The host's /restart: drains, exits, and says "back online" to the chat afterwards. */
  requestRestart(chat: ChatRef): boolean;
  logger: Logger;
  /** Spec: every 2 s. */
  pollMs?: number;
  /** Spec: up to 1800 s. */
  maxMs?: number;
  now?: () => number;
}

const fence = (text: string) => `\`\`\`\n${text.replace(/```/g, "'''").trimEnd()}\n\`\`\``;

/**
 * Watches a running `/update` (spec 4.2) and reports its end to the chat that asked. It also runs at
 * start, so an update that ended while the gateway was down or restarting is reported then.
 */
export class UpdateWatcher {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly deps: UpdateWatcherDeps) {}

  /** Starts polling when an update is pending (idempotent), checking once right away. */
  start(): void {
    if (this.timer || !readPending(this.deps.files)) return;
    this.timer = setInterval(() => void this.check(), this.deps.pollMs ?? 2000);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get watching(): boolean {
    return this.timer !== undefined;
  }

  /** One look; reports and clears the files when the update ended or ran out of time. */
  async check(): Promise<'none' | 'running' | 'reported'> {
    if (this.checking) return 'running';
    this.checking = true;
    try {
      return await this.look();
    } catch (err) {
      this.deps.logger.error('update watcher failed', { error: (err as Error).message });
      return 'running';
    } finally {
      this.checking = false;
    }
  }

  private async look(): Promise<'none' | 'running' | 'reported'> {
    const { files, logger } = this.deps;
    const pending = readPending(files);
    if (!pending) {
      this.stop();
      return 'none';
    }
    const code = readExitCode(files);
    const now = this.deps.now?.() ?? Date.now();
    const maxMs = this.deps.maxMs ?? 1_800_000;
    if (code === undefined && now - pending.started_at < maxMs) return 'running';
    this.stop();
    const chat = chatOf(pending);
    const tail = outputTail(files);
    clearUpdateFiles(files);
    let text: string;
    if (code === undefined)
      text = `❌ Hermes update did not finish within ${Math.round(maxMs / 60_000)} minutes; I stopped watching it.`;
    else if (code !== 0) text = `❌ Hermes update failed (exit code ${code}).`;
    else text = '✅ Hermes update finished.';
    if (tail.trim()) text += `\n${fence(tail)}`;
    logger.info('update ended', { exitCode: code ?? 'timeout', version: pending.version });
    const restart = code === 0 && this.deps.canRestart();
    if (code === 0)
      text += restart
        ? `\n♻️ Restarting to run ${pending.version}; I'll say when I'm back.`
        : `\nRestart the gateway to run ${pending.version}: it runs in the foreground, so nothing would start it again for me.`;
    // Sent before the restart begins, so the drain does not race it.
    await this.deps
      .deliver(chat, text)
      .catch((err: unknown) => logger.warn('update report not delivered', { error: (err as Error).message }));
    if (restart) this.deps.requestRestart(chat);
    return 'reported';
  }
}
