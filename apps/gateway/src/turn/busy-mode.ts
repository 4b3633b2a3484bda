/**
 * What a message does when its session's agent is already running (issue 9 §5):
 * `interrupt` stops the run and the next turn answers everything that waited, together;
 * `queue` waits its turn and gets a turn of its own (FIFO, never merged, never dropped);
 * `steer` is folded into the running turn at its next tool boundary, or becomes the next turn when none comes.
 */
export const BUSY_INPUT_MODES = ['interrupt', 'queue', 'steer'] as const;
export type BusyInputMode = (typeof BUSY_INPUT_MODES)[number];

export function isBusyInputMode(value: unknown): value is BusyInputMode {
  return typeof value === 'string' && (BUSY_INPUT_MODES as readonly string[]).includes(value);
}

export interface BusyModeSettings {
  display: { busy_input_mode?: BusyInputMode | undefined };
  platforms: Record<string, { busy_input_mode?: BusyInputMode | undefined } | undefined>;
}

export type BusyModeResolution =
  | { ok: true; mode: BusyInputMode }
  /** HERMES_BUSY_INPUT_MODE holds something else: the config's choice is used and the caller says so. */
  | { ok: false; mode: BusyInputMode; problem: string };

/**
 * The platform's own `busy_input_mode` first, then HERMES_BUSY_INPUT_MODE, then `display.busy_input_mode`,
 * then `interrupt` (today's behaviour).
 */
export function resolveBusyInputMode(
  file: BusyModeSettings,
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
): BusyModeResolution {
  const own = file.platforms[platform]?.busy_input_mode;
  if (own) return { ok: true, mode: own };
  const fallback = file.display.busy_input_mode ?? 'interrupt';
  const fromEnv = env.HERMES_BUSY_INPUT_MODE?.trim();
  if (!fromEnv) return { ok: true, mode: fallback };
  const wanted = fromEnv.toLowerCase();
  if (isBusyInputMode(wanted)) return { ok: true, mode: wanted };
  return {
    ok: false,
    mode: fallback,
    problem: `HERMES_BUSY_INPUT_MODE must be one of ${BUSY_INPUT_MODES.join(', ')}; using "${fallback}" until it is fixed`,
  };
}
