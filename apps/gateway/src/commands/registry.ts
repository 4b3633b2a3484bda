import type { InboundAction } from '@hermes/adapter-core';
import type { BusyInputMode } from '../turn/busy-mode.js';
import type { CommandContext } from './context.js';

export type CommandOutcome =
  | { kind: 'reply'; text: string }
  /**
   * Run the agent with this text as the user's message (e.g. /retry, /new <text>). `busyMode` forces what
   * happens when a turn is running (/queue, /steer); without it, the turn is interrupted.
   */
  | { kind: 'agent'; text: string; busyMode?: BusyInputMode }
  | { kind: 'silent' };

export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  summary: string;
  /** Runs even while an agent turn is in progress (spec 4.1 busy guard). */
  bypass: boolean;
  handle(ctx: CommandContext, args: string): Promise<CommandOutcome> | CommandOutcome;
  /**
   * Presses of the command's own buttons: action ids `<name>:…`, handed over after the host deduplicated
   * them. The command checks who pressed.
   */
  handleAction?(platform: string, action: InboundAction): Promise<void>;
}

export class CommandRegistry {
  private readonly byName = new Map<string, CommandSpec>();
  readonly specs: CommandSpec[] = [];

  register(spec: CommandSpec): void {
    this.specs.push(spec);
    for (const n of [spec.name, ...(spec.aliases ?? [])]) this.byName.set(n, spec);
  }

  /** Only an exact name or alias. */
  resolveExact(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  /** Exact name or alias first, then an unambiguous prefix of a command name (`/sta` → `/status`). */
  resolve(name: string): CommandSpec | undefined {
    const exact = this.byName.get(name);
    if (exact) return exact;
    const matches = new Set(this.specs.filter((s) => s.name.startsWith(name)));
    return matches.size === 1 ? [...matches][0] : undefined;
  }

  /** The command whose buttons an action id (`<name>:…`) belongs to, when it takes presses. */
  forAction(actionId: string): CommandSpec | undefined {
    const cut = actionId.indexOf(':');
    if (cut <= 0) return undefined;
    const spec = this.byName.get(actionId.slice(0, cut));
    return spec?.handleAction && spec.name === actionId.slice(0, cut) ? spec : undefined;
  }

  helpLines(): string[] {
    return this.specs.map(
      (s) =>
        `/${s.name}${s.aliases?.length ? ` (${s.aliases.map((a) => `/${a}`).join(', ')})` : ''} — ${s.summary}`,
    );
  }
}
