import type { ToolResult } from '../types.js';

type ContentBlock = { type?: unknown; [key: string]: unknown };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Base64 length → decoded bytes, so a description says how big the thing was without decoding it. */
const base64Bytes = (data: unknown): number =>
  typeof data === 'string' ? Math.floor((data.replace(/=+$/, '').length * 3) / 4) : 0;

/**
 * Text blocks are what the model can use; binary blocks are only described (a base64 image in the
 * transcript would cost thousands of tokens and tell a text model nothing).
 */
function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return str(block.text) ?? '';
    case 'image':
    case 'audio':
      return `[${block.type}: ${str(block.mimeType) ?? 'unknown type'}, ${base64Bytes(block.data)} bytes, not shown]`;
    case 'resource': {
      const r = (block.resource ?? {}) as ContentBlock;
      const kind =
        typeof r.text === 'string' ? `${r.text.length} characters of text` : `${base64Bytes(r.blob)} bytes`;
      return `[resource ${str(r.uri) ?? '(no uri)'}${r.mimeType ? ` (${String(r.mimeType)})` : ''}: ${kind}, not shown]`;
    }
    case 'resource_link':
      return `[resource link: ${str(block.name) ?? ''} ${str(block.uri) ?? ''}${block.description ? ` — ${String(block.description)}` : ''}]`.replace(
        /\s+]/,
        ']',
      );
    default:
      return `[${String(block.type ?? 'unknown')} content, not shown]`;
  }
}

/** An MCP `tools/call` result as the one string the model reads; `isError` makes it a tool error. */
export function flattenToolResult(result: {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
  toolResult?: unknown;
}): ToolResult {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  let output = blocks
    .map(describeBlock)
    .filter((t) => t.length > 0)
    .join('\n');
  if (!output && result.structuredContent !== undefined) output = JSON.stringify(result.structuredContent);
  // Servers on the 2024-10-07 protocol answer with `toolResult` instead of content.
  if (!output && result.toolResult !== undefined) output = JSON.stringify(result.toolResult);
  if (!output) output = '(the tool returned no output)';
  return { ok: result.isError !== true, output };
}
