import type { EnvLike } from './contract.js';

/** `true`, `1`, `yes`, `on` (any case) are true; `false`, `0`, `no`, `off` false; anything else the default. */
export function envFlag(env: EnvLike, name: string, fallback = false): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  return fallback;
}

/** Comma-separated list, trimmed, empties dropped: the shape of every `*_ALLOWED_USERS` variable. */
export function envList(env: EnvLike, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Integer or the default; a value that is not a number is an error naming the variable. */
export function envInt(env: EnvLike, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  return Math.trunc(n);
}
