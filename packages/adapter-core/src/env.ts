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

/** A set, non-blank env var, trimmed; undefined otherwise. */
export function envString(env: EnvLike, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/**
 * `platforms.<p>` of config.yaml with its `extra` block merged in: the Python gateway reads
 * platform-specific keys from either place, so adapters accept both.
 */
export function platformFileConfig(fileConfig: Record<string, unknown> = {}): Record<string, unknown> {
  const extra = fileConfig['extra'];
  return {
    ...fileConfig,
    ...(typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : {}),
  };
}

/** The first of these keys that is set in a config mapping (snake_case and camelCase spellings of one key). */
export function pickConfigValue(file: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (file[key] !== undefined && file[key] !== null) return file[key];
  return undefined;
}

/** YAML gives lists, numbers or comma-separated strings; ids are compared as strings. */
export function configList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter((v) => v.length > 0);
  if (typeof value === 'string') return envList({ v: value }, 'v');
  return [String(value)];
}

/** Drops undefined fields so a schema's defaults apply to what was not set. */
export function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
