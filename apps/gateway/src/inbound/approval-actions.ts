import type { ChatRef, InboundAction, InboundMessage, MessageAction } from '@hermes/adapter-core';
import type { AgentEvent, ApprovalScope } from '@hermes/agent';
import { approvedReply, DENIED_REPLY } from '../commands/approval-replies.js';
import type { HostRuntime } from '../host/runtime.js';
import { parseClarifyAction } from '../turn/clarify-questions.js';
import { authorize } from './authorize.js';

/** What button presses and approval prompts need from the host. */
export type ApprovalActionDeps = Pick<
  HostRuntime,
  | 'adapterFor'
  | 'approvalPrompts'
  | 'approvals'
  | 'clarify'
  | 'commands'
  | 'config'
  | 'deliverer'
  | 'env'
  | 'journal'
  | 'units'
  | 'logger'
  | 'outbox'
  | 'pairing'
  | 'profileOf'
  | 'forwardAction'
>;

type ApprovalEvent = Extract<AgentEvent, { type: 'approval-request' }>;
type Choice = ApprovalScope | 'deny';

const PREFIX = 'appr:';
const CHOICES: ReadonlyArray<{ choice: Choice; label: string; style?: MessageAction['style'] }> = [
  { choice: 'once', label: 'Approve once', style: 'primary' },
  { choice: 'session', label: 'Approve for session' },
  { choice: 'always', label: 'Always' },
  { choice: 'deny', label: 'Deny', style: 'danger' },
];

/** Who asked, for one approval prompt sent with buttons: the person whose turn it is may always answer. */
export interface ApprovalPrompt {
  sessionKey: string;
  platform: string;
  chatId: string;
  userId: string;
  expiresAt: number;
  /** The message carrying the buttons, once sent. */
  messageId?: string;
  chat: ChatRef;
}

/** Button ids name the approval they answer (`appr:<approval id>:<choice>`), so an old button never answers a newer one. */
export function approvalActions(approvalId: string): MessageAction[] {
  return CHOICES.map(({ choice, label, style }) => ({
    id: `${PREFIX}${approvalId}:${choice}`,
    label,
    ...(style ? { style } : {}),
  }));
}

export function parseApprovalAction(actionId: string): { approvalId: string; choice: Choice } | undefined {
  if (!actionId.startsWith(PREFIX)) return undefined;
  const rest = actionId.slice(PREFIX.length);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0) return undefined;
  const choice = CHOICES.find((c) => c.choice === rest.slice(cut + 1))?.choice;
  return choice ? { approvalId: rest.slice(0, cut), choice } : undefined;
}

/**
 * The dangerous-command prompt of a chat turn. The text always names the commands (a platform without
 * buttons, or a user who prefers typing, answers with them); where the platform has buttons they are added.
 */
export async function sendApprovalPrompt(
  rt: ApprovalActionDeps,
  msg: InboundMessage,
  ev: ApprovalEvent,
  note: string,
): Promise<void> {
  const adapter = rt.adapterFor(msg.chat.platform);
  if (!adapter?.capabilities.buttons || !adapter.settleActions) {
    await rt.deliverer.deliverText(msg.chat, note);
    return;
  }
  const messages = await rt.deliverer.prepare(msg.chat, note);
  const last = messages.at(-1);
  if (!last) return;
  last.actions = approvalActions(ev.id);
  const map = rt.approvalPrompts;
  const now = Date.now();
  for (const [id, p] of map) if (p.expiresAt < now) map.delete(id);
  map.set(ev.id, {
    sessionKey: ev.sessionKey,
    platform: msg.chat.platform,
    chatId: msg.chat.chatId,
    userId: msg.sender.id,
    expiresAt: ev.expiresAt,
    chat: msg.chat,
  });
  const report = await rt.deliverer.sendEntries(await rt.outbox.enqueue(msg.chat, messages));
  const record = map.get(ev.id);
  const carrier = report.messageIds.at(-1);
  if (record && carrier !== undefined) record.messageId = carrier;
}

/**
 * An approval answered by typing (`/approve`, `/deny`): its buttons are settled too, so nobody presses
 * them later and reads "expired".
 */
export async function settlePromptButtons(
  rt: ApprovalActionDeps,
  approvalId: string,
  outcome: string,
): Promise<void> {
  const map = rt.approvalPrompts;
  const record = map.get(approvalId);
  map.delete(approvalId);
  if (record?.messageId !== undefined) await settle(rt, record.chat, record.messageId, outcome);
}

/** `ctx.receiveAction` of every adapter. Never throws into the adapter. */
export function handleAction(rt: ApprovalActionDeps, platform: string, action: InboundAction): void {
  void processAction(rt, platform, action).catch((err: unknown) => {
    rt.logger.error('button press failed', { platform, error: (err as Error).message });
  });
}

async function processAction(rt: ApprovalActionDeps, platform: string, action: InboundAction): Promise<void> {
  // Seen ids go in the inbound journal (already closed), so a press redelivered after a restart is ignored.
  const first = await rt.units.recordOnce(
    `action:${platform}:${action.id}`,
    platform,
    JSON.stringify({ action: true }),
  );
  if (!first) {
    rt.logger.debug('duplicate button press ignored', { platform });
    return;
  }
  if (await answerAction(rt, platform, action, 'if-here')) return;
  // With replicas, the turn that asked may run on another one: that replica answers it.
  if (await rt.forwardAction?.(platform, action)) return;
  await answerAction(rt, platform, action, 'always');
}

/**
 * A press forwarded by the replica that received it: answered only when the question or approval it
 * answers is waiting here. True when it was.
 */
export function answerForwardedAction(
  rt: ApprovalActionDeps,
  platform: string,
  action: InboundAction,
): Promise<boolean> {
  return answerAction(rt, platform, action, 'if-here');
}

/**
 * `if-here`: false, doing nothing, when the press answers a question or approval not waiting in this process;
 * `always`: such a press is told it expired.
 */
async function answerAction(
  rt: ApprovalActionDeps,
  platform: string,
  action: InboundAction,
  mode: 'if-here' | 'always',
): Promise<boolean> {
  // A command's own buttons (`/update`'s confirm) go to that command, which checks who pressed.
  const command = rt.commands.forAction(action.actionId);
  if (command?.handleAction) {
    await command.handleAction(platform, action);
    return true;
  }
  const question = parseClarifyAction(action.actionId);
  if (question) {
    if (mode === 'if-here' && !rt.clarify.get(question.id)) return false;
    await answerClarifyByButton(rt, platform, action, question);
    return true;
  }
  const parsed = parseApprovalAction(action.actionId);
  if (!parsed) {
    rt.logger.warn('button press for an unknown action ignored', { platform });
    return true;
  }
  const prompt = rt.approvalPrompts.get(parsed.approvalId);
  if (mode === 'if-here' && !prompt) return false;
  if (!(await mayAnswer(rt, platform, action, prompt))) {
    rt.logger.warn('button press by a user who may not answer this approval; nothing applied', {
      platform,
      userId: action.sender.id,
    });
    return true;
  }
  const settled = prompt
    ? rt.approvals.resolve(parsed.approvalId, parsed.choice !== 'deny', {
        sessionKey: prompt.sessionKey,
        ...(parsed.choice === 'deny' ? {} : { scope: parsed.choice }),
      })
    : undefined;
  rt.approvalPrompts.delete(parsed.approvalId);
  if (!settled) {
    await settle(
      rt,
      action.chat,
      action.messageId,
      '⌛ Expired: this approval was already answered or timed out.',
    );
    return true;
  }
  const name = action.sender.name ?? action.sender.id;
  const { choice } = parsed;
  if (choice === 'deny') {
    await rt.deliverer.deliverText(action.chat, DENIED_REPLY);
    await settle(rt, action.chat, action.messageId, `❌ Denied by ${name}`);
    return true;
  }
  await rt.deliverer.deliverText(action.chat, approvedReply(choice, settled));
  await settle(rt, action.chat, action.messageId, `✅ Approved by ${name}`);
  return true;
}

/** A press on a `clarify` question's button: the choice becomes the tool's answer. */
async function answerClarifyByButton(
  rt: ApprovalActionDeps,
  platform: string,
  action: InboundAction,
  pressed: { id: string; index: number },
): Promise<void> {
  const q = rt.clarify.get(pressed.id);
  const asker = q ? { platform: q.chat.platform, chatId: q.chat.chatId, userId: q.userId } : undefined;
  if (!(await mayAnswer(rt, platform, action, asker))) {
    rt.logger.warn('button press by a user who may not answer this question; nothing applied', {
      platform,
      userId: action.sender.id,
    });
    return;
  }
  const choice = q?.choices[pressed.index];
  if (!q || choice === undefined) {
    await settle(
      rt,
      action.chat,
      action.messageId,
      '⌛ Expired: this question was already answered or withdrawn.',
    );
    return;
  }
  // The question settles its own buttons with the choice once the tool has it.
  q.settle({ kind: 'answered', text: choice, by: action.sender.name ?? action.sender.id, via: 'button' });
}

/**
 * The person whose turn asked, an admin (`gateway.allow_admin_from`), or someone the platform's allowlist,
 * roles or pairing name. Allow-all settings do not count: anyone in a group could press otherwise.
 */
async function mayAnswer(
  rt: ApprovalActionDeps,
  platform: string,
  action: InboundAction,
  prompt: Pick<ApprovalPrompt, 'platform' | 'chatId' | 'userId'> | undefined,
): Promise<boolean> {
  if (action.chat.platform !== platform) return false;
  if (
    prompt &&
    prompt.platform === platform &&
    prompt.chatId === action.chat.chatId &&
    prompt.userId === action.sender.id
  )
    return true;
  if (rt.config.file.gateway.allow_admin_from.includes(`${platform}:${action.sender.id}`)) return true;
  const decision = await authorize(action, rt.profileOf(platform), rt.env, rt.pairing);
  return (
    decision.allowed &&
    (decision.via === 'allowlist' || decision.via === 'role' || decision.via === 'pairing')
  );
}

async function settle(
  rt: ApprovalActionDeps,
  chat: ChatRef,
  messageId: string,
  outcome: string,
): Promise<void> {
  const adapter = rt.adapterFor(chat.platform);
  const result = await adapter?.settleActions?.(chat, messageId, outcome);
  if (result && !result.ok)
    rt.logger.warn('buttons could not be settled', { platform: chat.platform, code: result.error.code });
}
