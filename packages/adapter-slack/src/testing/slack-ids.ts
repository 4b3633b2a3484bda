import { randomBytes } from 'node:crypto';

/** Slack-shaped ids and timestamps for the fake. */
export class SlackIdSource {
  #lastMicros = 0;

  /** `1700000000.000100`: strictly increasing, like message timestamps within a workspace. */
  ts(): string {
    const now = Date.now() * 1000;
    this.#lastMicros = Math.max(now, this.#lastMicros + 1);
    const seconds = Math.floor(this.#lastMicros / 1_000_000);
    const micros = String(this.#lastMicros % 1_000_000).padStart(6, '0');
    return `${seconds}.${micros}`;
  }

  id(prefix: string): string {
    return `${prefix}${randomBytes(5).toString('hex').toUpperCase()}`;
  }

  envelopeId(): string {
    return randomBytes(16)
      .toString('hex')
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  }
}

/** Slack escapes these three in message text, and only these. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
