import { randomBytes } from 'node:crypto';
import type { ChatToolCall } from '../types.js';

export interface ToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface Partial {
  id: string;
  name: string;
  args: string;
}

/**
 * Streamed tool calls arrive as fragments keyed by `index`: the first carries id and name, later ones
 * append to `arguments`. Some compatible servers repeat the id or the full name in every fragment, or
 * leave out the index; both are tolerated.
 */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, Partial>();

  add(deltas: readonly ToolCallDelta[]): void {
    deltas.forEach((d, position) => {
      const index = typeof d.index === 'number' ? d.index : position;
      const entry = this.calls.get(index) ?? { id: '', name: '', args: '' };
      if (d.id) entry.id = d.id;
      const name = d.function?.name;
      if (name && name !== entry.name)
        entry.name = entry.name && !name.startsWith(entry.name) ? entry.name + name : name;
      if (d.function?.arguments) entry.args += d.function.arguments;
      this.calls.set(index, entry);
    });
  }

  get size(): number {
    return this.calls.size;
  }

  result(): ChatToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .filter(([, c]) => c.name)
      .map(([, c]) => ({
        id: c.id || `call_${randomBytes(8).toString('hex')}`,
        type: 'function' as const,
        function: { name: c.name, arguments: c.args || '{}' },
      }));
  }
}
