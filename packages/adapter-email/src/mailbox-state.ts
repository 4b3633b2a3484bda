import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '@hermes/adapter-core';

/** What a reply needs to stay in its thread: the subject and the chain of Message-IDs. */
export interface EmailThreadInfo {
  messageId: string;
  /** The sender's address: the chat the thread belongs to. */
  chatId: string;
  subject: string;
  /** The References chain of the inbound mail, oldest first, without its own Message-ID. */
  references: string[];
}

/** What survives a restart. */
export interface EmailMailboxState {
  /** UIDVALIDITY of the mailbox the UIDs below belong to (a string: it is a 32-bit value read as bigint). */
  uidValidity: string;
  /** Every UID up to this one was handed to the host or dropped on purpose (loop safety, malformed). */
  lastUid: number;
  /** When the state was last written (epoch ms): the cut-off if the mailbox is ever recreated. */
  savedAt: number;
  /** Recent inbound threads, newest last, so a reply after a restart still threads. */
  threads: EmailThreadInfo[];
}

const VERSION = 1;
/** Replies rarely come more than a few hundred mails later; older threads fall back to a fresh subject. */
export const MAX_REMEMBERED_THREADS = 500;

/** One file per account and server, so two bots sharing a state dir never read each other's UIDs. */
export function mailboxStatePath(
  stateDir: string,
  address: string,
  imapHost: string,
  mailbox: string,
): string {
  const safe = `${address}@${imapHost}-${mailbox}`.toLowerCase().replace(/[^a-z0-9@._-]+/g, '_');
  return join(stateDir, `${safe}.json`);
}

function isThread(value: unknown): value is EmailThreadInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['messageId'] === 'string' &&
    typeof v['chatId'] === 'string' &&
    typeof v['subject'] === 'string' &&
    Array.isArray(v['references']) &&
    v['references'].every((r) => typeof r === 'string')
  );
}

/**
 * The state file. Writes are synchronous and atomic (temp file + rename), so the file on disk is always a
 * complete earlier or later version, written before the message is flagged \Seen on the server.
 */
export class MailboxStateFile {
  readonly path: string;
  readonly #logger: Logger;

  constructor(path: string, logger: Logger) {
    this.path = path;
    this.#logger = logger;
  }

  /** The saved state, or undefined on a first start; an unreadable file is set aside and reported. */
  load(): EmailMailboxState | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const { uidValidity, lastUid, savedAt, threads } = parsed;
      if (
        parsed['version'] !== VERSION ||
        typeof uidValidity !== 'string' ||
        typeof lastUid !== 'number' ||
        !Number.isInteger(lastUid) ||
        typeof savedAt !== 'number'
      ) {
        throw new Error('unexpected layout');
      }
      return {
        uidValidity,
        lastUid,
        savedAt,
        threads: Array.isArray(threads) ? threads.filter(isThread) : [],
      };
    } catch (error) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      renameSync(this.path, aside);
      this.#logger.error(
        'the email mailbox state file was unreadable; starting as on a first start (mail already in the mailbox is not answered)',
        { file: this.path, movedTo: aside, error: (error as Error).message },
      );
      return undefined;
    }
  }

  save(state: EmailMailboxState): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    const threads = state.threads.slice(-MAX_REMEMBERED_THREADS);
    writeFileSync(temp, JSON.stringify({ version: VERSION, ...state, threads }), { mode: 0o600 });
    renameSync(temp, this.path);
  }
}
