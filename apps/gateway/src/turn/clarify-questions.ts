import { randomBytes } from 'node:crypto';
import type { ChatRef, MessageAction } from '@hermes/adapter-core';

/** How a clarifying question ended; the agent's `clarify` tool turns it into its result. */
export type ClarifyAnswer =
  | { kind: 'answered'; text: string; by: string; via: 'button' | 'text' }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'aborted' };

/** One question the agent is waiting on. Kept in memory: a restart interrupts the turn that asked anyway. */
export interface ClarifyQuestion {
  id: string;
  sessionKey: string;
  chat: ChatRef;
  /** The person whose turn asked. */
  userId: string;
  choices: readonly string[];
  /** The message carrying the question (and its buttons), once sent. */
  messageId?: string;
  settle(answer: ClarifyAnswer): void;
}

/** The toolset name: turns with nobody to ask (request/reply, events, cron) leave it out. */
export const CLARIFY_TOOLSET = 'clarify';

const PREFIX = 'cl:';

/** Button ids name the question and the choice (`cl:<question id>:<index>`), as the Python gateway does. */
export function clarifyActions(id: string, choices: readonly string[]): MessageAction[] {
  return choices.map((label, i) => ({ id: `${PREFIX}${id}:${i}`, label: label.slice(0, 60) }));
}

export function parseClarifyAction(actionId: string): { id: string; index: number } | undefined {
  if (!actionId.startsWith(PREFIX)) return undefined;
  const rest = actionId.slice(PREFIX.length);
  const cut = rest.lastIndexOf(':');
  const index = Number(rest.slice(cut + 1));
  if (cut <= 0 || !Number.isInteger(index) || index < 0) return undefined;
  return { id: rest.slice(0, cut), index };
}

/**
 * The open clarifying questions, by id and by session. One per session at a time: a turn runs its tool
 * calls one after another, and the next message in that session is read as the answer.
 */
export class ClarifyQuestions {
  private readonly byId = new Map<string, ClarifyQuestion>();
  private readonly bySession = new Map<string, string>();

  newId(): string {
    return randomBytes(6).toString('hex');
  }

  open(question: ClarifyQuestion): void {
    const previous = this.bySession.get(question.sessionKey);
    if (previous) this.byId.get(previous)?.settle({ kind: 'aborted' });
    this.byId.set(question.id, question);
    this.bySession.set(question.sessionKey, question.id);
  }

  close(id: string): ClarifyQuestion | undefined {
    const q = this.byId.get(id);
    if (!q) return undefined;
    this.byId.delete(id);
    if (this.bySession.get(q.sessionKey) === id) this.bySession.delete(q.sessionKey);
    return q;
  }

  get(id: string): ClarifyQuestion | undefined {
    return this.byId.get(id);
  }

  forSession(sessionKey: string): ClarifyQuestion | undefined {
    const id = this.bySession.get(sessionKey);
    return id ? this.byId.get(id) : undefined;
  }
}

/** A typed answer: a choice's number (or its exact text) picks it; anything else is the answer itself. */
export function typedAnswer(text: string, choices: readonly string[]): string {
  const t = text.trim();
  const n = Number(t);
  if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1] as string;
  return choices.find((c) => c.toLowerCase() === t.toLowerCase()) ?? t;
}
