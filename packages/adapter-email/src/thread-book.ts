import { isReplySubject } from './inbound.js';
import { type EmailThreadInfo, MAX_REMEMBERED_THREADS } from './mailbox-state.js';

/** The headers that put a reply into its thread. */
export interface EmailReplyHeaders {
  subject: string;
  inReplyTo?: string;
  references?: string[];
}

/** Long threads would grow References without bound; mail clients keep the first and the last ones. */
const MAX_REFERENCES = 20;

function replySubject(subject: string, fallback: string): string {
  const base = subject === '' ? fallback : subject;
  return isReplySubject(base) ? base : `Re: ${base}`;
}

/**
 * Recent inbound mails by Message-ID and the latest one per sender, so a reply (even one sent without
 * `replyTo`, or after a restart: the list is persisted with the mailbox state) keeps its thread.
 */
export class EmailThreadBook {
  readonly #byId = new Map<string, EmailThreadInfo>();
  readonly #latestByChat = new Map<string, string>();

  constructor(saved: readonly EmailThreadInfo[] = []) {
    for (const info of saved) this.remember(info);
  }

  remember(info: EmailThreadInfo): void {
    this.#byId.delete(info.messageId);
    this.#byId.set(info.messageId, info);
    this.#latestByChat.set(info.chatId, info.messageId);
    while (this.#byId.size > MAX_REMEMBERED_THREADS) {
      const oldest = this.#byId.keys().next().value as string;
      const dropped = this.#byId.get(oldest)!;
      this.#byId.delete(oldest);
      if (this.#latestByChat.get(dropped.chatId) === oldest) this.#latestByChat.delete(dropped.chatId);
    }
  }

  /** Oldest first, for the state file. */
  entries(): EmailThreadInfo[] {
    return [...this.#byId.values()];
  }

  /**
   * Headers for a mail to `chatId`: in the thread of `replyTo` when given, else in the sender's latest
   * thread, else a new conversation with `defaultSubject`.
   */
  headersFor(chatId: string, replyTo: string | undefined, defaultSubject: string): EmailReplyHeaders {
    const id = replyTo ?? this.#latestByChat.get(chatId);
    if (id === undefined) return { subject: defaultSubject };
    const info = this.#byId.get(id);
    if (info === undefined) {
      // A reply to a mail we no longer remember still threads by its id; only the subject is lost.
      return { subject: replySubject('', defaultSubject), inReplyTo: id, references: [id] };
    }
    const chain = [...info.references, info.messageId];
    const references =
      chain.length > MAX_REFERENCES ? [chain[0]!, ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
    return { subject: replySubject(info.subject, defaultSubject), inReplyTo: info.messageId, references };
  }
}
