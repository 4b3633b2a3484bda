import type { z } from 'zod';

/** A config problem an operator can fix: which file (and line), which key, what is wrong, what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : ` line ${line}`}: ${key ? `${key}: ` : ''}${problem}`);
  }
}

/** `$HERMES_HOME` itself cannot be used, so nothing inside it can be read or checked until it is fixed. */
export class HomeError extends Error {
  override readonly name = 'HomeError';
  readonly code = 'home_invalid';
  constructor(
    readonly home: string,
    readonly problem: string,
  ) {
    super(`HERMES_HOME=${home} ${problem}`);
  }
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Turns zod issues into ConfigErrors that name the dotted key, with a "did you mean" for typos. */
export function configErrorsFromZod(
  file: string,
  error: z.ZodError,
  knownKeysAt: (path: string[]) => readonly string[],
): ConfigError[] {
  const out: ConfigError[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closestKey(key, knownKeysAt(path));
        const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
        out.push(
          new ConfigError(
            file,
            [...path, key].join('.'),
            `unknown key${hint}; remove it or fix the spelling`,
          ),
        );
      }
      continue;
    }
    out.push(new ConfigError(file, path.join('.'), issue.message));
  }
  return out;
}
