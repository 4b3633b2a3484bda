import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type InboundMessage, mergeInboundBatch } from '@hermes/adapter-core';
import type { CommandContext } from '../commands/context.js';
import { parseCommand } from '../commands/parse.js';
import type { CommandOutcome, CommandSpec } from '../commands/registry.js';
import type { HostRuntime } from '../host/runtime.js';
import { type BusyInputMode, resolveBusyInputMode } from '../turn/busy-mode.js';
import { answerClarifyByText, type ClarifyDeps } from '../turn/clarify.js';
import type { PendingInput } from '../turn/compose-turn.js';
import type { CompressDeps } from '../turn/compress.js';
import { compressSession } from '../turn/compress.js';
import type { SubmitResult } from '../turn/lane-scheduler.js';
import type { TurnDeps } from '../turn/turn-runner.js';
import { settlePromptButtons } from './approval-actions.js';
import { authorize } from './authorize.js';
import { encodeInbound } from './inbound-codec.js';

/** What the intake needs: everything a turn needs, plus commands, pairing and platform control. */
export type IntakeDeps = TurnDeps &
  ClarifyDeps &
  CompressDeps &
  Pick<
    HostRuntime,
    | 'commands'
    | 'forgetSessionApprovals'
    | 'pausePlatform'
    | 'platformStatuses'
    | 'requestRestart'
    | 'resumePlatform'
    | 'sessionKeyOf'
    | 'startBackground'
    | 'replayBarriers'
    | 'sessionDispatch'
  >;

const PAIRING_REFUSALS: Record<string, string> = {
  rate_limited: 'Too many pairing requests. Please wait a few minutes and send your message again.',
  too_many_pending:
    'Too many pairing requests are waiting. Please wait a few minutes and send your message again.',
  locked_out: 'Pairing is paused for a while after too many wrong codes. Please try again later.',
  store_unreadable: 'Pairing is unavailable right now; the bot owner has been told (see the gateway log).',
};

/**
 * Entry point for every message an adapter hands over. Resolves once the message is journalled (committed),
 * which is when the adapter may acknowledge it to the platform; the turn goes on after that.
 */
export function handleInbound(rt: IntakeDeps, platform: string, given: InboundMessage): Promise<void> {
  // PostgreSQL runs writes on several connections, so two writes started together may commit in either
  // order: a session's messages are journaled one after another (journal order is replay order) and reach
  // its lane in the order they arrived.
  const order = arrivalsOf(rt);
  const key = rt.sessionKeyOf(given);
  const previous = order.get(key);
  const journaled = previous
    ? previous.then(() => journal(rt, platform, given, key))
    : journal(rt, platform, given, key);
  const handed = journaled.then((entry) => {
    if (!entry) return;
    // With replicas sharing turns, the journal entry is the hand-over: whichever replica claims the session runs it.
    const dispatch = rt.sessionDispatch;
    if (dispatch?.platforms.has(platform)) {
      dispatch.keep(entry.id, entry.msg);
      dispatch.wake();
      return;
    }
    const barrier = rt.replayBarriers.get(platform);
    const processed = barrier
      ? barrier.then(() => processInbound(rt, entry.msg, [entry.id]))
      : processInbound(rt, entry.msg, [entry.id]);
    void processed.catch((err: unknown) => {
      rt.logger.error('inbound message failed', {
        platform,
        id: entry.msg.id,
        error: (err as Error).message,
      });
    });
  });
  const settled = handed.catch(() => undefined);
  order.set(key, settled);
  void settled.then(() => {
    if (order.get(key) === settled) order.delete(key);
  });
  return handed;
}

const arrivals = new WeakMap<IntakeDeps, Map<string, Promise<unknown>>>();

function arrivalsOf(rt: IntakeDeps): Map<string, Promise<unknown>> {
  let order = arrivals.get(rt);
  if (!order) {
    order = new Map();
    arrivals.set(rt, order);
  }
  return order;
}

/** Journals the message (the parts not taken yet, for a merged one); undefined for a redelivery. */
async function journal(
  rt: IntakeDeps,
  platform: string,
  given: InboundMessage,
  sessionKey: string,
): Promise<{ id: number; msg: InboundMessage } | undefined> {
  // A single message goes straight to its journal write (no await before it: writes keep arrival order).
  const msg = given.parts && given.parts.length > 1 ? await untakenParts(rt, platform, given) : given;
  if (!msg) return undefined;
  const id = await rt.journal.record(
    dedupeKeyOf(platform, msg),
    platform,
    encodeInbound(msg),
    msg.parts?.slice(1).map((part) => dedupeKeyOf(platform, part)),
    sessionKey,
  );
  if (id === undefined) {
    rt.logger.debug('duplicate inbound message dropped', { platform, id: msg.id });
    return undefined;
  }
  return { id, msg };
}

function dedupeKeyOf(platform: string, msg: InboundMessage): string {
  return `${platform}:${msg.chat.chatId}:${msg.id}`;
}

/**
 * A merged message (a split paste) whose parts were partly taken before, by this process before a crash or
 * by the replica that held the connection, and delivered again merged differently: only the parts not
 * taken yet go on, so none is answered twice and none is dropped with a taken one. Undefined: all taken.
 */
async function untakenParts(
  rt: IntakeDeps,
  platform: string,
  msg: InboundMessage,
): Promise<InboundMessage | undefined> {
  const parts = msg.parts ?? [];
  const known = new Set(await rt.journal.known(parts.map((part) => dedupeKeyOf(platform, part))));
  if (known.size === 0) return msg;
  const fresh = parts.filter((part) => !known.has(dedupeKeyOf(platform, part)));
  rt.logger.info('a merged message came again with parts already taken; only the new parts go on', {
    platform,
    taken: parts.length - fresh.length,
    fresh: fresh.length,
  });
  return fresh.length === 0 ? undefined : mergeInboundBatch(fresh);
}

/** Access, commands, then the session lane. Also used to replay journalled messages after a crash. */
export async function processInbound(
  rt: IntakeDeps,
  msg: InboundMessage,
  journalIds: number[],
): Promise<void> {
  const decision = await authorize(msg, rt.profileOf(msg.chat.platform), rt.env, rt.pairing);
  if (!decision.allowed) {
    await rt.journal.finish(journalIds, 'ignored');
    await refuse(rt, msg);
    return;
  }
  const sessionKey = rt.sessionKeyOf(msg);
  for (const id of journalIds) rt.journal.setSessionKey(id, sessionKey);
  // An event's text was written by whoever could reach the route, not by a chat user: never a command.
  const parsed =
    rt.profileOf(msg.chat.platform).kind === 'events'
      ? undefined
      : parseCommand(msg.text, {
          altPrefix: msg.chat.threadId
            ? rt.adapterFor(msg.chat.platform)?.capabilities.threadCommandPrefix
            : undefined,
        });
  const spec = parsed ? rt.commands.resolve(parsed.name) : undefined;
  if (parsed && spec) {
    if (rt.lanes.isBusy(sessionKey) && !spec.bypass) {
      await rt.journal.finish(journalIds);
      await rt.deliverer.deliverText(
        msg.chat,
        `⏳ Agent is running: /${spec.name} cannot run mid-turn. Use /stop to stop it, or wait for the reply.`,
        { replyTo: msg.id },
      );
      return;
    }
    // What a command starts for after its reply (a /restart) waits for that reply to have left.
    let replied: () => void = () => {};
    const afterReply = new Promise<void>((resolve) => {
      replied = resolve;
    });
    try {
      await runCommand(rt, msg, sessionKey, journalIds, spec, parsed.args, afterReply);
    } finally {
      replied();
    }
    return;
  }
  // The turn asked the user something (`clarify`): this message is the answer, not a new turn.
  if (answerClarifyByText(rt, sessionKey, msg)) {
    await rt.journal.finish(journalIds);
    return;
  }
  // An unknown /foo goes to the agent as text.
  submitBusy(rt, sessionKey, { msg, journalIds }, busyModeFor(rt, msg.chat.platform));
}

async function runCommand(
  rt: IntakeDeps,
  msg: InboundMessage,
  sessionKey: string,
  journalIds: number[],
  spec: CommandSpec,
  args: string,
  afterReply: Promise<void>,
): Promise<void> {
  let outcome: CommandOutcome;
  try {
    outcome = await spec.handle(commandContext(rt, msg, sessionKey, afterReply), args);
  } catch (err) {
    rt.logger.error('command failed', { command: spec.name, error: (err as Error).message });
    outcome = { kind: 'reply', text: `❌ /${spec.name} failed: ${(err as Error).message}` };
  }
  if (outcome.kind === 'agent') {
    const result = submitBusy(rt, sessionKey, { msg, journalIds, text: outcome.text }, outcome.busyMode);
    const ack = BUSY_ACKS[result];
    // Only an explicit /queue or /steer is acknowledged: the sender asked for it and should see it took.
    if (outcome.busyMode && ack) await rt.deliverer.deliverText(msg.chat, ack, { replyTo: msg.id });
    return;
  }
  await rt.journal.finish(journalIds);
  if (outcome.kind === 'reply') await rt.deliverer.deliverText(msg.chat, outcome.text, { replyTo: msg.id });
}

const BUSY_ACKS: Partial<Record<SubmitResult, string>> = {
  queued: '📥 Queued: this gets its own turn after the current one.',
  steered: '↪️ Steering: the running turn reads this at its next step.',
};

/**
 * A request/reply client waits for the answer to its own request, so its message can neither join another
 * turn (steer) nor be answered together with others: it queues instead.
 */
function submitBusy(
  rt: IntakeDeps,
  sessionKey: string,
  input: PendingInput,
  mode: BusyInputMode | undefined,
): SubmitResult {
  const effective = input.msg.request && mode === 'steer' ? 'queue' : (mode ?? 'interrupt');
  return rt.lanes.submit(sessionKey, input, { mode: effective });
}

const warnedBusyMode = new WeakSet<IntakeDeps>();

function busyModeFor(rt: IntakeDeps, platform: string): BusyInputMode {
  const r = resolveBusyInputMode(rt.config.file, rt.env, platform);
  if (!r.ok && !warnedBusyMode.has(rt)) {
    warnedBusyMode.add(rt);
    rt.logger.warn(r.problem);
  }
  return r.mode;
}

async function refuse(rt: IntakeDeps, msg: InboundMessage): Promise<void> {
  const platform = msg.chat.platform;
  // The platform's own setting, then the platform's default (email ignores strangers), then the global one.
  const behaviour = (rt.config.file.platforms[platform]?.unauthorized_dm_behavior ??
    rt.profileOf(platform).unauthorizedDmDefault ??
    rt.config.file.unauthorized_dm_behavior) as 'pair' | 'ignore';
  // Groups never see a pairing code; unauthorised group messages are ignored.
  if (msg.chat.chatType !== 'dm' || behaviour === 'ignore' || !msg.sender.id) {
    rt.logger.info('message from an unauthorised user ignored', { platform, chatType: msg.chat.chatType });
    return;
  }
  const result = await rt.pairing.generateCode(platform, msg.sender.id, msg.sender.name ?? '');
  if (!result.ok) {
    if (result.reason === 'store_unreadable')
      rt.logger.error('pairing files unreadable; fix or remove them', { dir: rt.pairing.location });
    await rt.deliverer.deliverText(msg.chat, PAIRING_REFUSALS[result.reason] ?? 'Please try again later.');
    return;
  }
  rt.logger.info('pairing code issued', { platform, userId: msg.sender.id });
  await rt.deliverer.deliverText(
    msg.chat,
    `I don't recognize you yet. Here is your pairing code: \`${result.code}\` (valid for 1 hour).\nAsk the bot owner to run \`hermes pairing approve ${platform} ${result.code}\`, then send your message again.`,
  );
}

/** /sethome: writes the platform's home channel env var (from its descriptor) into `.env` and the live env. */
function writeHomeChannel(rt: IntakeDeps, platform: string, chatId: string): boolean {
  const name = rt.profileOf(platform).homeChannelEnv;
  if (!name) return false;
  const path = rt.config.paths.env;
  const line = `${name}=${chatId}`;
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const re = new RegExp(`^${name}=.*$`, 'm');
    if (re.test(text)) writeFileSync(path, text.replace(re, line), { mode: 0o600 });
    else appendFileSync(path, `${text.endsWith('\n') || text === '' ? '' : '\n'}${line}\n`);
  } else writeFileSync(path, `${line}\n`, { mode: 0o600 });
  rt.env[name] = chatId;
  return true;
}

function commandContext(
  rt: IntakeDeps,
  msg: InboundMessage,
  sessionKey: string,
  afterReply: Promise<void>,
): CommandContext {
  return {
    msg,
    sessionKey,
    sessions: rt.sessions,
    lanes: rt.lanes as CommandContext['lanes'],
    approvals: rt.approvals,
    kv: rt.kv,
    turns: rt.turns,
    env: rt.env,
    platforms: () => rt.platformStatuses(),
    requestRestart: () => rt.requestRestart(msg.chat, afterReply),
    isAdmin: () => rt.config.file.gateway.allow_admin_from.includes(`${msg.chat.platform}:${msg.sender.id}`),
    settleApprovalButtons: (approvalId, outcome) => settlePromptButtons(rt, approvalId, outcome),
    pausePlatform: (p) => rt.pausePlatform(p),
    resumePlatform: (p) => rt.resumePlatform(p),
    activeSession: () => rt.sessions.active(sessionKey),
    async resetSession(reason) {
      const current = await rt.sessions.active(sessionKey);
      if (current) await rt.sessions.end(current.id, reason);
      rt.forgetSessionApprovals(sessionKey);
      return rt.sessions.create(sessionKey, msg.chat, msg.sender.id);
    },
    model: () => ({ ...rt.config.model, configured: rt.agent.configured }),
    async setSessionModel(model) {
      if (model) await rt.kv.set(`model:${sessionKey}`, model);
      else await rt.kv.delete(`model:${sessionKey}`);
    },
    async setHomeChannel() {
      if (!writeHomeChannel(rt, msg.chat.platform, msg.chat.chatId)) return undefined;
      return msg.chat.chatName ?? msg.chat.chatId;
    },
    startBackground: (prompt) => rt.startBackground(msg.chat, sessionKey, prompt),
    compress: (focus) => compressSession(rt, sessionKey, msg, focus),
    helpLines: () => rt.commands.helpLines(),
  };
}
