import { crc32 } from 'node:zlib';

/** What survives a restart of the adapter. */
export interface TelegramUpdateState {
  /**
   * The next update_id to ask getUpdates for. Every update below it was handed to the host, dropped on
   * purpose (filtered, duplicate, malformed) or is listed in `held`.
   */
  offset: number;
  /** Raw updates still waiting in an album or a text batch (or refused by the host): replayed on start. */
  held: unknown[];
  /** Recently seen update ids, as DedupeCache.export() gives them (webhook redeliveries). */
  seen: Array<[string, number]>;
}

/** A state with the number of the save that wrote it: the highest number on disk is the newest state. */
export interface NumberedState {
  seq: number;
  state: TelegramUpdateState;
}

const VERSION = 1;
/** The first line of the file; each save then adds a line, and the object closes after the newest. */
export const FILE_HEAD = `{"version":${VERSION},\n`;
export const FILE_TAIL = '}\n';

export function emptyState(): TelegramUpdateState {
  return { offset: 0, held: [], seen: [] };
}

function isSeen(value: unknown): value is Array<[string, number]> {
  return (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')
  );
}

function isSaveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function stateFrom(parsed: Record<string, unknown>): TelegramUpdateState | undefined {
  const offset = parsed['offset'];
  if (typeof offset !== 'number' || !Number.isInteger(offset)) return undefined;
  return {
    offset,
    held: Array.isArray(parsed['held']) ? parsed['held'] : [],
    seen: isSeen(parsed['seen']) ? parsed['seen'] : [],
  };
}

/**
 * One save as a line of members of the file's JSON object:
 * `"seq":N,"offset":…,"held":[…],"seen":[…],"crc":"…"`. Every save repeats the same keys, and JSON.parse
 * keeps the last of repeated keys, so the whole file parses (for an older adapter too, or jq) as the
 * newest save. JSON.stringify never emits a raw line break, so a line is one save; the checksum tells a
 * save a kill cut short from a whole one.
 */
export function saveLine(saved: NumberedState): string {
  const { offset, held, seen } = saved.state;
  const body = `"seq":${saved.seq},"offset":${offset},"held":${JSON.stringify(held)},"seen":${JSON.stringify(seen)}`;
  return `${body},"crc":"${crcOf(body)}"`;
}

function crcOf(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

const LINE = /^(.+),"crc":"([0-9a-f]{8})"[,}]?$/;

/**
 * The newest whole save in the file's text; throws when there is none or the text is
 * not a state file at all. A whole file is read by JSON.parse (earlier adapters wrote one object with one
 * state and no save number: save 0); a file whose last save was cut short by a kill, line by line.
 */
export function newestSave(text: string): NumberedState {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined) {
    const state = typeof parsed === 'object' && parsed !== null ? stateFrom(parsed) : undefined;
    const seq = parsed?.['seq'] ?? 0;
    if (parsed?.['version'] !== VERSION || !state || !isSaveNumber(seq)) throw new Error('unexpected layout');
    return { seq, state };
  }
  if (!text.startsWith(FILE_HEAD)) throw new Error('not JSON, and not a state file cut short');
  let newest: NumberedState | undefined;
  for (const line of text.slice(FILE_HEAD.length).split('\n')) {
    const match = LINE.exec(line);
    if (!match || crcOf(match[1]!) !== match[2]) continue;
    let members: Record<string, unknown>;
    try {
      members = JSON.parse(`{${match[1]}}`) as Record<string, unknown>;
    } catch {
      continue;
    }
    const state = stateFrom(members);
    const seq = members['seq'];
    if (state && isSaveNumber(seq) && (!newest || seq > newest.seq)) newest = { seq, state };
  }
  if (!newest) throw new Error('no whole save in a state file cut short');
  return newest;
}
