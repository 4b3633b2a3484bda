import { join } from 'node:path';
import { type Logger, readFileIfExists, setFileAside, writeFileAtomic } from '@hermes/adapter-core';

/** What survives a restart: who may get free-form messages, and which webhook messages were handled. */
export interface WhatsappState {
  /** `[wa_id, lastInboundMs]` of users whose 24-hour window is open. */
  windows: Array<[string, number]>;
  /** Recently handled message ids, as DedupeCache.export() gives them (Meta retries for days). */
  seen: Array<[string, number]>;
}

const VERSION = 1;
const FILE = 'whatsapp-state.json';

function isPairs(value: unknown): value is Array<[string, number]> {
  return (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')
  );
}

/** The state file inside `dir`. */
export function whatsappStatePath(dir: string): string {
  return join(dir, FILE);
}

/**
 * Writes the state atomically (temp file + rename, 0600), so the file on disk is always a complete
 * version. Exported for tools and tests that need to seed the state of an adapter that is not running.
 */
export function writeWhatsappState(path: string, state: WhatsappState): void {
  writeFileAtomic(path, JSON.stringify({ version: VERSION, ...state }));
}

/** The saved state; a missing file is a fresh start, an unreadable one is set aside and reported. */
export function readWhatsappState(path: string, logger: Logger): WhatsappState {
  const text = readFileIfExists(path);
  if (text === undefined) return { windows: [], seen: [] };
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed['version'] !== VERSION) throw new Error(`unknown version ${String(parsed['version'])}`);
    return {
      windows: isPairs(parsed['windows']) ? parsed['windows'] : [],
      seen: isPairs(parsed['seen']) ? parsed['seen'] : [],
    };
  } catch (error) {
    const aside = setFileAside(path);
    logger.error('WhatsApp state file was unreadable; starting without customer windows', {
      file: path,
      movedTo: aside,
      error: (error as Error).message,
    });
    return { windows: [], seen: [] };
  }
}
