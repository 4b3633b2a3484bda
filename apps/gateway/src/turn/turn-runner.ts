import type { ChatRef, InboundMessage, OutboundMessage, PlatformAdapter } from '@hermes/adapter-core';
import type { AgentEvent, ChatMessage, ReasoningEffort, RunTurnInput } from '@hermes/agent';
import type { HostRuntime } from '../host/runtime.js';
import type { ApprovalActionDeps } from '../inbound/approval-actions.js';
import { sendApprovalPrompt } from '../inbound/approval-actions.js';
import { countCutByStop } from '../inbound/cut-by-stop.js';
import type { HomeChannels } from '../outbound/target-chat.js';
import { ToolProgress } from '../outbound/tool-progress.js';
import { expiredReason, resolveResetPolicy } from '../sessions/reset-policy.js';
import { routeSkills } from '../skills/route-skills.js';
import type { SessionDraft, SessionRow, TranscriptMessage } from '../state/session-store.js';
import type { FinishedTurn, TranscriptEntry } from '../state/storage.js';
import type { SpokenReplyDeps } from '../voice/spoken-delivery.js';
import { deliverSpokenReply, transcriberFor } from '../voice/spoken-delivery.js';
import { composeTurnInput, type PendingInput } from './compose-turn.js';
import type { LaneRunContext } from './lane-scheduler.js';
import { deliveryChatOf, requestFailureOf, requestHistory, turnLimitsFor } from './request-reply.js';
import { steerSourceFor } from './steer-source.js';
import type { ChatBudget } from './streaming/chat-budget.js';
import { budgetedAdapter } from './streaming/index.js';
import { ReplyStreamer, type StreamOutcome } from './streaming/reply-streamer.js';
import type { FinalPlan } from './streaming/stream-finish.js';
import {
  finalPlan,
  INTERRUPTED_MARK,
  markAbandoned,
  type OpenStream,
  openStreamKey,
  streamedReplyKey,
  streamedReplyText,
} from './streaming/stream-finish.js';
import { resolveStreaming } from './streaming/streaming-mode.js';

/** What running a turn needs from the host: the session, the agent, delivery and the turn log. */
export type TurnDeps = SpokenReplyDeps &
  HomeChannels &
  ApprovalActionDeps &
  Pick<
    HostRuntime,
    | 'agent'
    | 'chatBudgets'
    | 'skills'
    | 'journal'
    | 'kv'
    | 'lanes'
    | 'profileOf'
    | 'sessions'
    | 'shuttingDown'
    | 'turns'
    | 'units'
  >;

/** Transcript rows back into the OpenAI message shape the agent takes as history. */
export function historyFrom(rows: TranscriptMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const r of rows) {
    if (r.role === 'user') out.push({ role: 'user', content: r.content ?? '' });
    else if (r.role === 'system') out.push({ role: 'system', content: r.content ?? '' });
    else if (r.role === 'tool')
      out.push({ role: 'tool', tool_call_id: String(r.extra?.tool_call_id ?? ''), content: r.content ?? '' });
    else {
      const toolCalls = r.extra?.tool_calls as Extract<ChatMessage, { role: 'assistant' }>['tool_calls'];
      out.push(
        toolCalls?.length
          ? { role: 'assistant', content: r.content, tool_calls: toolCalls }
          : { role: 'assistant', content: r.content },
      );
    }
  }
  return out;
}

/** Agent messages (assistant with tool calls, tool results) as transcript rows. */
export function transcriptEntries(messages: readonly ChatMessage[]): TranscriptEntry[] {
  return messages.map((m) =>
    m.role === 'assistant'
      ? {
          role: 'assistant',
          content: m.content,
          ...(m.tool_calls ? { extra: { tool_calls: m.tool_calls } } : {}),
        }
      : m.role === 'tool'
        ? { role: 'tool', content: m.content, extra: { tool_call_id: m.tool_call_id } }
        : { role: m.role, content: m.content },
  );
}

/** Appends agent messages to a session's transcript. */
export async function storeMessages(
  rt: Pick<HostRuntime, 'sessions'>,
  sessionId: string,
  messages: readonly ChatMessage[],
): Promise<void> {
  await rt.sessions.appendMany(sessionId, transcriptEntries(messages));
}

/** The active session for the key, auto-reset first when its policy says it expired (spec 2.3). */
export async function ensureSession(
  rt: TurnDeps,
  sessionKey: string,
  msg: InboundMessage,
): Promise<{ session: SessionRow; resetNotice?: string; draft?: SessionDraft }> {
  const current = await rt.sessions.active(sessionKey);
  if (!current) {
    // Written with the turn's first message (one commit); nothing before that reads or writes it.
    const draft = rt.sessions.draft(sessionKey, msg.chat, msg.sender.id);
    return { session: draft.row, draft };
  }
  const policy = resolveResetPolicy(
    rt.config.file,
    msg.chat.platform,
    msg.chat.chatType,
    Boolean(msg.chat.threadId),
  );
  const reason = expiredReason(policy, new Date(current.updatedAt), new Date());
  if (!reason) return { session: current };
  await rt.sessions.end(current.id, `auto_reset_${reason}`);
  const session = await rt.sessions.create(sessionKey, msg.chat, msg.sender.id, { reason });
  await rt.sessions.append(
    session.id,
    'system',
    `The previous conversation expired (${reason} reset); this is a fresh session.`,
  );
  const why =
    reason === 'idle'
      ? `inactive for ${Math.round(policy.idle_minutes / 60)}h`
      : `daily schedule at ${policy.at_hour}:00`;
  // Only people read reset notices: events and request/reply clients never get one.
  const notify =
    policy.notify &&
    rt.profileOf(msg.chat.platform).kind === 'chat' &&
    !policy.notify_exclude_platforms.includes(msg.chat.platform);
  return notify
    ? {
        session,
        resetNotice: `◐ Session automatically reset (${why}). Conversation history cleared. Use /resume to go back; adjust in config.yaml under session_reset.`,
      }
    : { session };
}

function keepTyping(adapter: PlatformAdapter | undefined, chat: ChatRef): () => void {
  if (!adapter?.capabilities.typing || !adapter.typing) return () => {};
  const tick = () => void adapter.typing?.(chat).catch(() => undefined);
  tick();
  const timer = setInterval(tick, 4000);
  timer.unref();
  return () => clearInterval(timer);
}

/** `channel_overrides` for this chat: the `<platform>:<chat>` entry over the `<platform>` one. */
function channelOverride(rt: TurnDeps, chat: ChatRef): { model?: string; system_prompt?: string } {
  const all = rt.config.file.channel_overrides;
  return { ...all[chat.platform], ...all[`${chat.platform}:${chat.chatId}`] };
}

async function systemPromptFor(
  rt: TurnDeps,
  msg: InboundMessage,
  sessionKey: string,
): Promise<string | undefined> {
  const personality = await rt.kv.get<string>(`personality:${sessionKey}`);
  const base = channelOverride(rt, msg.chat).system_prompt ?? rt.config.file.agent.system_prompt;
  const where =
    msg.chat.chatType === 'dm'
      ? `a direct message with ${msg.sender.name ?? msg.sender.id}`
      : `${msg.chat.chatType} ${msg.chat.chatName ?? msg.chat.chatId}`;
  const lines = [
    base ?? 'You are Hermes, a helpful assistant reached through a chat app.',
    `You are talking on ${msg.chat.platform}, in ${where}.`,
  ];
  if (personality) lines.push(`Personality: ${personality}`);
  return lines.join('\n');
}

/** One agent turn for a session lane: compose, run, record, deliver. */
export async function runAgentTurn(
  rt: TurnDeps,
  items: PendingInput[],
  lane: LaneRunContext<PendingInput>,
): Promise<void> {
  const journalIds = items.flatMap((i) => i.journalIds);
  try {
    await runTurnOnce(rt, items, lane);
  } finally {
    // A turn left open for replay (shutdown) keeps the record, so the replay can mark the cut message;
    // after kill -9 nothing here runs and the record stays for the same reason. Request/reply turns stream
    // to their client, never into a chat message, so they leave no record to clear.
    if (!rt.shuttingDown && !items.at(-1)?.msg.request)
      await Promise.all(journalIds.map((id) => rt.kv.delete(openStreamKey(id)))).catch((err: unknown) =>
        rt.logger.warn('streamed-reply marker not cleared', { error: (err as Error).message }),
      );
  }
}

async function runTurnOnce(
  rt: TurnDeps,
  items: PendingInput[],
  lane: LaneRunContext<PendingInput>,
): Promise<void> {
  const last = items.at(-1)!;
  const msg = last.msg;
  const adapter = rt.adapterFor(msg.chat.platform);
  const journalIds = items.flatMap((i) => i.journalIds);
  const request = msg.request;
  if (request?.signal.aborted) {
    // The client left while the message waited for its lane: nobody would read the answer.
    await rt.journal.finish(journalIds, 'abandoned');
    return;
  }
  const { session, resetNotice, draft } = await ensureSession(rt, lane.sessionKey, msg);
  if (resetNotice) await rt.deliverer.deliverText(msg.chat, resetNotice);
  const shared =
    msg.chat.chatType !== 'dm' &&
    (msg.chat.threadId ? !rt.config.file.thread_sessions_per_user : !rt.config.file.group_sessions_per_user);
  const composed = await composeTurnInput(items, {
    shared,
    logger: rt.logger,
    transcribe: transcriberFor(rt),
  });
  const userText = composed.text;
  // Only people in a chat get the line; request/reply and event clients read the agent's answer, which
  // has the note about the failed transcription in front of it.
  if (!request && rt.profileOf(msg.chat.platform).kind === 'chat')
    for (const notice of composed.notices) await rt.deliverer.deliverText(msg.chat, notice);
  // A session opened by this message has no transcript to read.
  const history = requestHistory(msg) ?? (draft ? [] : historyFrom(await rt.sessions.transcript(session.id)));
  const userMessageId = await rt.units.startTurn(session.id, userText, journalIds, draft);

  const stopTyping = keepTyping(adapter, msg.chat);
  const target = deliveryChatOf(msg, rt);
  const budget = adapter && !request ? rt.chatBudgets.for(msg.chat, adapter.capabilities) : undefined;
  const progress =
    adapter && budget
      ? new ToolProgress(
          budgetedAdapter(adapter, budget),
          msg.chat,
          rt.config.file.display.tool_progress,
          rt.logger,
        )
      : undefined;
  const streamer =
    adapter && budget && !target ? chatStreamer(rt, adapter, budget, msg, journalIds) : undefined;
  let outcome: StreamOutcome = { kind: 'none' };
  let streamed = '';
  let finalText = '';
  let error: Extract<AgentEvent, { type: 'error' }> | undefined;
  let interrupted = false;
  let ended = false;
  let closeJournal: FinishedTurn['closeJournal'];
  const startedAt = Date.now();
  const usage = {
    model: undefined as string | undefined,
    calls: 0,
    prompt: 0,
    completion: 0,
    total: 0,
    lastPrompt: 0,
  };
  let answered: ChatMessage[] | undefined;
  const toolsUsed: string[] = [];
  const input: RunTurnInput = {
    sessionKey: lane.sessionKey,
    history,
    userText,
    // A request/reply client that disconnects stops the run at its next safe point.
    signal: request ? AbortSignal.any([lane.signal, request.signal]) : lane.signal,
    approvals: rt.approvals,
    context: {
      platform: msg.chat.platform,
      chatId: msg.chat.chatId,
      threadId: msg.chat.threadId,
      chatName: msg.chat.chatName,
      chatType: msg.chat.chatType,
      // Who the `clarify` tool may ask: the person whose turn this is.
      userId: msg.sender.id,
    },
  };
  const limits = turnLimitsFor(msg, rt.profileOf(msg.chat.platform).kind);
  if (limits) input.toolLimits = limits;
  const skills = routeSkills(rt.skills, limits, rt.logger);
  if (skills.allowed) input.context = { ...input.context, allowedSkills: skills.allowed };
  input.steer = steerSourceFor(rt, lane, journalIds, shared);
  const [modelOverride, reasoning, basePrompt] = await Promise.all([
    rt.kv.get<string>(`model:${lane.sessionKey}`),
    rt.kv.get<ReasoningEffort>(`reasoning:${lane.sessionKey}`),
    systemPromptFor(rt, msg, lane.sessionKey),
  ]);
  const model = modelOverride ?? channelOverride(rt, msg.chat).model;
  if (model) input.model = model;
  if (reasoning) input.reasoningEffort = reasoning;
  const systemPrompt = [basePrompt, skills.prompt, ...(request?.system ?? [])].filter(Boolean).join('\n\n');
  if (systemPrompt) input.systemPrompt = systemPrompt;
  try {
    for await (const ev of rt.agent.runTurn(input)) {
      if (ev.type === 'tool-start') {
        toolsUsed.push(ev.name);
        progress?.add(ev);
        if (request)
          adapter?.reportToolProgress?.(msg.chat, {
            tool: ev.name,
            label: `${ev.emoji} ${ev.name}: ${ev.preview}`,
            phase: 'start',
          });
      } else if (ev.type === 'text-delta' && request?.stream && adapter?.edit) {
        streamed += ev.text;
        await adapter.edit(msg.chat, request.replyMessageId, streamed);
      } else if (ev.type === 'text-delta' && streamer) {
        streamer.push(ev.text);
      } else if (ev.type === 'approval-request') {
        const note = `⚠️ **Dangerous command requires approval:**\n\`\`\`\n${ev.command}\n\`\`\`\nReason: ${ev.reason}\nReply /approve, /approve session, /approve always, or /deny (expires in ${Math.round((ev.expiresAt - Date.now()) / 60000)} min).`;
        if (!request) await sendApprovalPrompt(rt, msg, ev, note);
        else if (request.stream && adapter?.edit) {
          // An API client can only see the prompt in its stream; /approve comes as another request on the session.
          streamed += `\n\n${note}\n\n`;
          await adapter.edit(msg.chat, request.replyMessageId, streamed);
        }
      } else if (ev.type === 'usage') {
        usage.model = ev.model;
        usage.prompt += ev.promptTokens;
        usage.completion += ev.completionTokens;
        usage.total += ev.totalTokens;
        usage.lastPrompt = ev.promptTokens;
        usage.calls++;
        adapter?.reportUsage?.(msg.chat, {
          prompt_tokens: ev.promptTokens,
          completion_tokens: ev.completionTokens,
          total_tokens: ev.totalTokens,
        });
      } else if (ev.type === 'error') error = ev;
      else if (ev.type === 'done') {
        finalText = ev.text;
        interrupted = ev.interrupted;
        answered = ev.messages;
      }
    }
    ended = true;
  } finally {
    stopTyping();
    await progress?.finish();
    if (streamer) outcome = await streamer.settle();
    // A request/reply turn that ran to its end closes its journal entries with its writes: one commit
    // fewer, and its answer needs no outbox row (see `FinishedTurn.closeJournal`). A turn cut by a stop
    // stays open for the replay, which abandons it.
    if (request && ended && !(interrupted && rt.shuttingDown))
      closeJournal = { ids: journalIds, state: request.signal.aborted ? 'abandoned' : 'done' };
    // What the turn leaves behind (its messages, token counts, the /insights row) in one commit, before
    // any reply is recorded or sent; a commit each was most of a short turn's cost.
    await rt.units.finishTurn({
      sessionId: session.id,
      messages: answered ? transcriptEntries(answered) : [],
      ...(usage.calls > 0
        ? {
            usage: {
              promptTokens: usage.prompt,
              completionTokens: usage.completion,
              totalTokens: usage.total,
              lastPromptTokens: usage.lastPrompt,
            },
          }
        : {}),
      record: {
        sessionId: session.id,
        platform: msg.chat.platform,
        model: usage.model ?? input.model,
        startedAt,
        durationMs: Date.now() - startedAt,
        promptTokens: usage.prompt,
        completionTokens: usage.completion,
        tools: toolsUsed,
        error: error?.code,
        interrupted,
      },
      ...(closeJournal ? { closeJournal } : {}),
    });
  }
  const finishJournal = (state?: 'abandoned') =>
    closeJournal ? Promise.resolve() : rt.journal.finish(journalIds, state);
  if (interrupted && rt.shuttingDown) {
    // Leave the turn as if it never started: the journal replays the message on the next start, and the
    // cut does not count toward giving the message up as poison.
    await rt.sessions.truncateFrom(session.id, userMessageId);
    await countCutByStop(rt, journalIds);
    if (adapter) await markAbandonedSafely(rt, outcome, adapter, msg.chat);
    return;
  }
  if (request?.signal.aborted) {
    rt.logger.info('request abandoned by its client; run stopped', { platform: msg.chat.platform });
    await finishJournal('abandoned');
    return;
  }
  // A newer message interrupted this turn: its reply is stale, the next turn answers everything together.
  if (interrupted && rt.lanes.queued(lane.sessionKey) > 0) {
    await finishJournal();
    if (adapter) await markAbandonedSafely(rt, outcome, adapter, msg.chat);
    return;
  }
  if (request && error && adapter?.failRequest) {
    // A client waiting on a request gets the failure as an error (status, code), never as answer text.
    adapter.failRequest(msg.chat, requestFailureOf(error));
    await finishJournal();
    return;
  }
  const errorText = error ? `⚠️ ${error.message}` : '';
  if (outcome.kind !== 'none' && adapter) {
    // The streamed message becomes the reply: the outbox records it and the final write finishes it.
    const whole = streamedReplyText(outcome, { finalText, interrupted, errorText });
    const note = interrupted ? INTERRUPTED_MARK : errorText || undefined;
    const plan = finalPlan(outcome, whole, adapter, msg.chat, note);
    budget?.spend();
    await deliverTurnReply(rt, {
      chat: msg.chat,
      reply: plan.reply,
      replyTo: plan.replyTo ? msg.id : undefined,
      sessionId: session.id,
      journalIds,
      ...(plan.reuseFirst ? { reuseFirst: plan.reuseFirst } : {}),
      ...(plan.streamedMessageId ? { streamedMessageId: plan.streamedMessageId } : {}),
    });
    if (!interrupted && !error)
      await deliverSpokenReply(rt, {
        chat: msg.chat,
        reply: whole,
        sessionId: session.id,
        heardVoice: composed.heardVoice,
      });
    return;
  }
  // A streaming client already holds `streamed`; the final send must extend it, not restart it.
  const reply =
    request?.stream && streamed
      ? `${streamed}${errorText && !streamed.includes(errorText) ? `\n\n${errorText}` : ''}`
      : finalText || errorText || (interrupted ? '⚡ Stopped.' : '');
  if (!reply) {
    await finishJournal();
    return;
  }
  budget?.spend();
  await deliverTurnReply(rt, {
    chat: target ?? msg.chat,
    reply,
    replyTo: target ? undefined : msg.id,
    sessionId: session.id,
    journalIds: closeJournal ? [] : journalIds,
    toWaitingClient: closeJournal !== undefined && !target,
  });
  // Spoken only where a person reads the chat the message came from (not API clients or webhook routes).
  if (!request && !target && !interrupted && !error && finalText)
    await deliverSpokenReply(rt, {
      chat: msg.chat,
      reply: finalText,
      sessionId: session.id,
      heardVoice: composed.heardVoice,
    });
}

/**
 * Records the reply in the outbox and closes the journal entries in one transaction (either the turn is
 * still open and replayed after a crash, or its reply is recorded), then sends. A reply that cannot even
 * be prepared (a bug, a bad reply the renderer chokes on) goes out as plain text rather than poisoning
 * the message: the journal entry is closed either way.
 */
async function deliverTurnReply(
  rt: TurnDeps,
  o: {
    chat: ChatRef;
    reply: string;
    replyTo: string | undefined;
    sessionId: string;
    journalIds: number[];
    reuseFirst?: FinalPlan['reuseFirst'];
    streamedMessageId?: string;
    /** The answer goes to the client waiting on the request, with no outbox row (entries already closed). */
    toWaitingClient?: boolean;
  },
): Promise<void> {
  let messages: OutboundMessage[];
  try {
    messages = await rt.deliverer.prepare(o.chat, o.reply, o.replyTo ? { replyTo: o.replyTo } : {});
  } catch (err) {
    rt.logger.error('reply could not be prepared; sending it as plain text', {
      platform: o.chat.platform,
      error: (err as Error).message,
    });
    const plain: OutboundMessage = { text: o.reply, format: 'plain' };
    if (o.replyTo) plain.replyTo = o.replyTo;
    if (o.chat.threadId) plain.threadId = o.chat.threadId;
    messages = [plain];
  }
  if (o.toWaitingClient) {
    await rt.deliverer.sendToWaitingClient(o.chat, messages);
    return;
  }
  // Recovery after a crash from here on can finish a streamed message instead of leaving it partial.
  const ids = await rt.units.recordReply({
    chat: o.chat,
    messages,
    turnRef: o.sessionId,
    journalIds: o.journalIds,
    ...(o.streamedMessageId
      ? { streamed: { kvKey: streamedReplyKey, value: { chat: o.chat, messageId: o.streamedMessageId } } }
      : {}),
  });
  await rt.deliverer.sendEntries(ids, undefined, o.reuseFirst);
  if (o.streamedMessageId && ids[0] !== undefined) await rt.kv.delete(streamedReplyKey(ids[0]));
}

/** The edit or native streamer of a chat reply, or none when this platform's streaming is off. */
function chatStreamer(
  rt: TurnDeps,
  adapter: PlatformAdapter,
  budget: ChatBudget,
  msg: InboundMessage,
  journalIds: readonly number[],
): ReplyStreamer | undefined {
  if (rt.profileOf(msg.chat.platform).kind !== 'chat') return undefined;
  const { mode, invalidEnv } = resolveStreaming(rt.config.file, rt.env, adapter);
  if (invalidEnv)
    rt.logger.warn('HERMES_STREAMING must be off, edit or native; using the config instead', {
      value: invalidEnv,
    });
  if (mode === 'off') return undefined;
  return new ReplyStreamer({
    adapter,
    chat: msg.chat,
    mode,
    budget,
    logger: rt.logger,
    replyTo: msg.id,
    onShown: async (messageId, text) => {
      const open: OpenStream = { chat: msg.chat, messageId, text };
      await Promise.all(journalIds.map((id) => rt.kv.set(openStreamKey(id), open))).catch((err: unknown) =>
        rt.logger.warn('streamed-reply marker not kept', { error: (err as Error).message }),
      );
    },
  });
}

async function markAbandonedSafely(
  rt: TurnDeps,
  outcome: StreamOutcome,
  adapter: PlatformAdapter,
  chat: ChatRef,
): Promise<void> {
  try {
    await markAbandoned(outcome, adapter, chat, INTERRUPTED_MARK);
  } catch (err) {
    rt.logger.warn('interrupted streamed reply not marked', { error: (err as Error).message });
  }
}
