import type { ChatRef, InboundMessage } from '@hermes/adapter-core';
import { type AgentTool, defineTool } from '@hermes/agent';
import { z } from 'zod';
import type { HostRuntime } from '../host/runtime.js';
import {
  CLARIFY_TOOLSET,
  type ClarifyAnswer,
  type ClarifyQuestion,
  clarifyActions,
  typedAnswer,
} from './clarify-questions.js';

/** What asking and answering clarifying questions needs from the host. */
export type ClarifyDeps = Pick<
  HostRuntime,
  'adapterFor' | 'clarify' | 'deliverer' | 'env' | 'logger' | 'outbox'
>;

const DEFAULT_TIMEOUT_S = 300;
const MAX_CHOICES = 6;

export interface ClarifyRequest {
  chat: ChatRef;
  sessionKey: string;
  userId: string;
  question: string;
  choices: readonly string[];
  signal: AbortSignal;
}

/**
 * Sends the question (with a button per choice where the platform has buttons; numbered choices in the text
 * everywhere, so typing works too) and waits for the answer, the timeout, or the turn being stopped.
 */
export async function askClarify(rt: ClarifyDeps, req: ClarifyRequest): Promise<ClarifyAnswer> {
  if (req.signal.aborted) return { kind: 'aborted' };
  const timeoutMs = clarifyTimeoutMs(rt.env);
  const id = rt.clarify.newId();
  let settle!: (answer: ClarifyAnswer) => void;
  const answered = new Promise<ClarifyAnswer>((resolve) => {
    settle = resolve;
  });
  const question: ClarifyQuestion = {
    id,
    sessionKey: req.sessionKey,
    chat: req.chat,
    userId: req.userId,
    choices: req.choices,
    settle: (a) => settle(a),
  };
  rt.clarify.open(question);
  const timer = setTimeout(() => question.settle({ kind: 'timeout', afterMs: timeoutMs }), timeoutMs);
  const onAbort = () => question.settle({ kind: 'aborted' });
  req.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await sendQuestion(rt, question, req.question);
    const answer = await answered;
    await settleButtons(rt, question, answer);
    return answer;
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
    rt.clarify.close(id);
  }
}

async function sendQuestion(rt: ClarifyDeps, q: ClarifyQuestion, text: string): Promise<void> {
  const numbered = q.choices.map((c, i) => `${i + 1}. ${c}`).join('\n');
  const hint = q.choices.length ? 'Reply with a number, or type your own answer.' : 'Reply with your answer.';
  const body = [`❓ ${text}`, numbered, hint].filter(Boolean).join('\n\n');
  const adapter = rt.adapterFor(q.chat.platform);
  const messages = await rt.deliverer.prepare(q.chat, body);
  const last = messages.at(-1);
  if (last && q.choices.length && adapter?.capabilities.buttons && adapter.settleActions)
    last.actions = clarifyActions(q.id, q.choices);
  const report = await rt.deliverer.sendEntries(await rt.outbox.enqueue(q.chat, messages));
  const carrier = report.messageIds.at(-1);
  if (carrier !== undefined && last?.actions) q.messageId = carrier;
}

async function settleButtons(rt: ClarifyDeps, q: ClarifyQuestion, answer: ClarifyAnswer): Promise<void> {
  if (q.messageId === undefined) return;
  const outcome =
    answer.kind === 'answered'
      ? `✅ ${answer.text.slice(0, 200)}`
      : answer.kind === 'timeout'
        ? '⌛ No answer in time'
        : '⏹ Question withdrawn';
  const result = await rt
    .adapterFor(q.chat.platform)
    ?.settleActions?.(q.chat, q.messageId, outcome)
    .catch(() => undefined);
  if (result && !result.ok)
    rt.logger.warn('clarify buttons could not be settled', {
      platform: q.chat.platform,
      code: result.error.code,
    });
}

/**
 * A message in a session whose turn is waiting on a question is the answer, not a new turn. Returns true
 * when it was taken as one.
 */
export function answerClarifyByText(rt: ClarifyDeps, sessionKey: string, msg: InboundMessage): boolean {
  const q = rt.clarify.forSession(sessionKey);
  const text = msg.text?.trim();
  if (!q || !text) return false;
  q.settle({
    kind: 'answered',
    text: typedAnswer(text, q.choices),
    by: msg.sender.name ?? msg.sender.id,
    via: 'text',
  });
  return true;
}

function clarifyTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const s = Number(env.HERMES_CLARIFY_TIMEOUT_SECONDS ?? DEFAULT_TIMEOUT_S);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_TIMEOUT_S) * 1000;
}

/** What the model reads back from the tool. */
function toolOutput(answer: ClarifyAnswer): { ok: boolean; output: string } {
  if (answer.kind === 'answered') return { ok: true, output: `The user answered: ${answer.text}` };
  if (answer.kind === 'timeout')
    return {
      ok: false,
      output: `The user did not answer within ${Math.round(answer.afterMs / 1000)} s. Go on with your best judgement and say what you assumed.`,
    };
  return { ok: false, output: 'The question was withdrawn: the turn was stopped.' };
}

/**
 * The agent's `clarify` tool: asks the person whose turn it is a question and waits for the answer. The
 * chat comes from the turn's context, so the tool cannot ask anyone else.
 */
export function createClarifyTool(ask: (req: ClarifyRequest) => Promise<ClarifyAnswer>): AgentTool {
  return defineTool({
    name: 'clarify',
    toolset: CLARIFY_TOOLSET,
    emoji: '❓',
    description:
      'Ask the user a clarifying question when the request is ambiguous and a wrong guess would be costly. Offer up to six short choices when the likely answers are known; the user can also type a free answer. Waits for the answer.',
    schema: z.object({
      question: z.string().min(1).max(1000).describe('the question, one or two sentences'),
      choices: z.array(z.string().min(1).max(100)).max(MAX_CHOICES).optional().describe('likely answers'),
    }),
    preview: (a) => a.question.slice(0, 80),
    async execute({ question, choices }, ctx) {
      const c = ctx.context;
      if (typeof c.platform !== 'string' || typeof c.chatId !== 'string' || typeof c.userId !== 'string')
        return { ok: false, output: 'There is no user to ask in this turn; decide yourself.' };
      const chat: ChatRef = {
        platform: c.platform,
        chatId: c.chatId,
        chatType: (c.chatType as ChatRef['chatType']) ?? 'dm',
        ...(typeof c.threadId === 'string' ? { threadId: c.threadId } : {}),
        ...(typeof c.chatName === 'string' ? { chatName: c.chatName } : {}),
      };
      const answer = await ask({
        chat,
        sessionKey: ctx.sessionKey,
        userId: c.userId,
        question,
        choices: choices ?? [],
        signal: ctx.signal,
      });
      return toolOutput(answer);
    },
  });
}
