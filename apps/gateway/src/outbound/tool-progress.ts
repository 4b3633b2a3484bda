import type { ChatRef, Logger, PlatformAdapter } from '@hermes/adapter-core';

export type ToolProgressMode = 'off' | 'new' | 'all' | 'verbose';

export interface ToolStart {
  name: string;
  emoji: string;
  preview: string;
  args: Record<string, unknown>;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** One progress line in the spec 5.2 format. */
export function formatToolLine(tool: ToolStart, mode: Exclude<ToolProgressMode, 'off'>): string {
  if (mode === 'verbose') {
    const keys = Object.keys(tool.args).join(', ');
    return `${tool.emoji} ${tool.name}(${keys})\n${truncate(JSON.stringify(tool.args, null, 2), 200)}`;
  }
  return tool.preview
    ? `${tool.emoji} ${tool.name}: "${truncate(tool.preview, 80)}"`
    : `${tool.emoji} ${tool.name}...`;
}

/**
 * Accumulates the tool lines of one turn in a single message, edited in place at most about once a
 * second; where the adapter cannot edit, each line goes out as its own message.
 */
export class ToolProgress {
  private lines: Array<{ text: string; count: number }> = [];
  private lastName: string | undefined;
  private messageId: string | undefined;
  private lastEditAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapter: PlatformAdapter,
    private readonly chat: ChatRef,
    private readonly mode: ToolProgressMode,
    private readonly logger: Logger,
    private readonly minEditIntervalMs = 1000,
  ) {}

  add(tool: ToolStart): void {
    if (this.mode === 'off') return;
    if (this.mode === 'new' && tool.name === this.lastName) return;
    this.lastName = tool.name;
    const text = formatToolLine(tool, this.mode);
    const last = this.lines.at(-1);
    if (last && last.text === text) last.count++;
    else this.lines.push({ text, count: 1 });
    if (!this.adapter.capabilities.edit || !this.adapter.edit) {
      this.enqueue(() => this.sendLine(text));
      return;
    }
    this.scheduleFlush();
  }

  /** Waits for what is in flight and sends the last state. */
  async finish(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.enqueue(() => this.flush());
    }
    await this.chain;
  }

  private render(): string {
    return this.lines.map((l) => (l.count > 1 ? `${l.text} (×${l.count})` : l.text)).join('\n');
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastEditAt + this.minEditIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueue(() => this.flush());
    }, wait);
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.logger.warn('tool progress not shown', { error: (err as Error).message });
    });
  }

  private async flush(): Promise<void> {
    this.lastEditAt = Date.now();
    const text = this.render();
    if (this.messageId && this.adapter.edit) {
      const r = await this.adapter.edit(this.chat, this.messageId, text);
      if (r.ok) return;
    }
    const r = await this.adapter.send(this.chat, {
      text,
      format: 'plain',
      ...(this.chat.threadId ? { threadId: this.chat.threadId } : {}),
    });
    if (r.ok) this.messageId = r.messageIds[0];
  }

  private async sendLine(text: string): Promise<void> {
    await this.adapter.send(this.chat, {
      text,
      format: 'plain',
      ...(this.chat.threadId ? { threadId: this.chat.threadId } : {}),
    });
  }
}
