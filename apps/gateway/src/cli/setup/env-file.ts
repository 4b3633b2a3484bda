import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

const PLAIN = /^[\w.:/@+,=-]*$/;

/** A value as `.env` needs it: bare when safe, single-quoted (literal in dotenv) otherwise. */
export function envValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('a value in .env cannot span lines');
  if (PLAIN.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Sets keys in `.env` text without touching anything else: comments, blank lines, order and unrelated keys
 * stay; a key that is already there is changed in place (its first assignment; later duplicates, which
 * would win in dotenv, are removed); new keys go at the end under a comment.
 */
export function updateEnvText(text: string, updates: Readonly<Record<string, string>>): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const pending = new Map(Object.entries(updates));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=/.exec(line)?.[1];
    if (key !== undefined && updates[key] !== undefined) {
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`${key}=${envValue(updates[key])}`);
      pending.delete(key);
      continue;
    }
    out.push(line);
  }
  if (pending.size > 0) {
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
    out.push(`# written by hermes gateway setup, ${new Date().toISOString().slice(0, 10)}`);
    for (const [key, value] of pending) out.push(`${key}=${envValue(value)}`);
  }
  return `${out.join('\n')}\n`;
}

export function readEnvFile(path: string): { text: string; values: Record<string, string> } {
  if (!existsSync(path)) return { text: '', values: {} };
  const text = readFileSync(path, 'utf8');
  return { text, values: parseEnv(text) as Record<string, string> };
}

/** Written next to the old file and renamed over it, owner-only: a crash never leaves half a `.env`. */
export function writeEnvFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** `1234…abcd` for a secret already set: enough to recognise it, not enough to use it. */
export function redacted(value: string): string {
  return value.length <= 8 ? '•'.repeat(value.length) : `${value.slice(0, 4)}…${value.slice(-4)}`;
}
