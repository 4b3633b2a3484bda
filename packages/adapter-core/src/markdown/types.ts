import type { LengthUnit, MarkdownDialect } from '../contract.js';

/** One message-sized piece of a longer Markdown text. */
export interface MarkdownChunk {
  /** The Markdown of this piece: fences and emphasis closed at its end and reopened in the next piece. */
  markdown: string;
  /** `markdown` rendered to the requested dialect: what goes on the wire. */
  rendered: string;
  /** Length of `rendered` in the requested unit; never above the limit. */
  length: number;
}

export interface SplitMarkdownOptions {
  /** Largest rendered chunk, counted in `unit`. */
  limit: number;
  unit: LengthUnit;
  dialect: MarkdownDialect;
}
