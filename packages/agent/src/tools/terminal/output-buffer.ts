/**
 * Keeps the head and the tail of a stream of output within a fixed budget, so a command that prints
 * gigabytes costs constant memory and the model still sees how it started and how it ended.
 */
export class CappedOutput {
  private head = '';
  private tail = '';
  private dropped = 0;
  /** Everything ever appended, kept or not. */
  total = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(readonly maxChars: number) {
    this.headLimit = Math.floor(maxChars * 0.4);
    this.tailLimit = maxChars - this.headLimit;
  }

  append(text: string): void {
    this.total += text.length;
    if (this.head.length < this.headLimit) {
      const room = this.headLimit - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (!text) return;
    this.tail += text;
    if (this.tail.length > this.tailLimit * 2) this.trimTail();
  }

  private trimTail(): void {
    const excess = this.tail.length - this.tailLimit;
    if (excess > 0) {
      this.dropped += excess;
      this.tail = this.tail.slice(excess);
    }
  }

  /** The last `n` characters seen (at most what the tail keeps). */
  lastChars(n: number): string {
    const all = this.dropped === 0 ? this.head + this.tail : this.tail;
    return all.slice(Math.max(0, all.length - n));
  }

  get truncated(): boolean {
    this.trimTail();
    return this.dropped > 0;
  }

  toString(): string {
    this.trimTail();
    if (this.dropped === 0) return this.head + this.tail;
    return `${this.head}\n[… ${this.dropped} characters of output omitted …]\n${this.tail}`;
  }
}

/** Shortens text for a preview line (events, logs): keeps the start, marks the cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
