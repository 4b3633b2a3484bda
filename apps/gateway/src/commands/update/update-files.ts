import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatRef, ChatType } from '@hermes/adapter-core';
import { readFileIfExists, writeFileAtomic } from '@hermes/adapter-core';

/** The three files of the spec's /update watcher (spec 2.2), in `$HERMES_HOME`. */
export interface UpdateFiles {
  pending: string;
  output: string;
  exitCode: string;
}

export function updateFiles(home: string): UpdateFiles {
  return {
    pending: join(home, '.update_pending.json'),
    output: join(home, '.update_output.txt'),
    exitCode: join(home, '.update_exit_code'),
  };
}

/** `.update_pending.json`: the spec's {platform, chat_id, thread_id}, plus what a report needs. */
export interface PendingUpdate {
  platform: string;
  chat_id: string;
  thread_id: string | null;
  chat_type: ChatType;
  /** The version being installed. */
  version: string;
  /** Epoch ms. */
  started_at: number;
}

const CHAT_TYPES: readonly ChatType[] = ['dm', 'group', 'channel', 'thread'];

export function writePending(files: UpdateFiles, pending: PendingUpdate): void {
  writeFileAtomic(files.pending, `${JSON.stringify(pending)}\n`);
}

/** The pending update, or undefined (none, or a file that is not one: it is removed as unusable). */
export function readPending(files: UpdateFiles): PendingUpdate | undefined {
  const text = readFileIfExists(files.pending);
  if (text === undefined) return undefined;
  try {
    const p = JSON.parse(text) as Partial<PendingUpdate>;
    if (typeof p.platform === 'string' && typeof p.chat_id === 'string')
      return {
        platform: p.platform,
        chat_id: p.chat_id,
        thread_id: typeof p.thread_id === 'string' ? p.thread_id : null,
        chat_type: CHAT_TYPES.includes(p.chat_type as ChatType) ? (p.chat_type as ChatType) : 'dm',
        version: typeof p.version === 'string' ? p.version : 'latest',
        started_at: typeof p.started_at === 'number' ? p.started_at : Date.now(),
      };
  } catch {
    // fall through
  }
  return undefined;
}

export function chatOf(p: PendingUpdate): ChatRef {
  return {
    platform: p.platform,
    chatId: p.chat_id,
    chatType: p.chat_type,
    ...(p.thread_id ? { threadId: p.thread_id } : {}),
  };
}

/** The update's exit code once it has ended; undefined while it runs. */
export function readExitCode(files: UpdateFiles): number | undefined {
  if (!existsSync(files.exitCode)) return undefined;
  const n = Number.parseInt(readFileSync(files.exitCode, 'utf8').trim(), 10);
  return Number.isFinite(n) ? n : 1;
}

/** The last `max` characters of the update's output. */
export function outputTail(files: UpdateFiles, max = 3500): string {
  const text = readFileIfExists(files.output) ?? '';
  return text.length > max ? `…${text.slice(-max)}` : text;
}

export function clearUpdateFiles(files: UpdateFiles): void {
  for (const f of [files.pending, files.output, files.exitCode, `${files.exitCode}.tmp`])
    rmSync(f, { force: true });
}
