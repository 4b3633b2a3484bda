import type { InboundAction } from '@hermes/adapter-core';
import { type ApprovalActionDeps, answerForwardedAction } from '../inbound/approval-actions.js';
import type { PlatformCallRun, PlatformCalls, ReplicaCoordination } from '../state/storage.js';

/** The forwarded call that offers a button press to the replica whose turn asked. */
export const ACTION_OP = 'action';

/** How long the receiving replica waits for the others to say whether the press was theirs. */
const FORWARD_TIMEOUT_MS = 10_000;

/**
 * Calls addressed to one replica rather than to a platform's connection holder: each replica serves its own
 * address beside the connections it holds.
 */
export function replicaAddress(replicaId: string): string {
  return `replica:${replicaId}`;
}

type WireAction = Omit<InboundAction, 'receivedAt' | 'raw'> & { platform: string; receivedAt: string };

/**
 * Offers the press to every other live replica at once; true when one of them had the question or approval
 * waiting and answered it. Presses are rare, so asking all of them is cheaper than tracking who asked what.
 */
export async function forwardActionToReplicas(
  replicas: Pick<ReplicaCoordination, 'replicaId' | 'replicas'>,
  calls: Pick<PlatformCalls, 'call'>,
  platform: string,
  action: InboundAction,
): Promise<boolean> {
  const others = (await replicas.replicas()).filter((r) => r.alive && r.id !== replicas.replicaId);
  const wire: WireAction = {
    platform,
    id: action.id,
    chat: action.chat,
    sender: action.sender,
    messageId: action.messageId,
    actionId: action.actionId,
    receivedAt: action.receivedAt.toISOString(),
  };
  const answers = await Promise.all(
    others.map((r) =>
      calls
        .call(replicaAddress(r.id), ACTION_OP, wire, FORWARD_TIMEOUT_MS)
        .then(
          (outcome) =>
            outcome.state === 'done' && (outcome.result as { handled?: unknown })?.handled === true,
        )
        .catch(() => false),
    ),
  );
  return answers.some(Boolean);
}

/** The other side: answers the press if its question or approval waits here. */
export async function serveForwardedAction(rt: ApprovalActionDeps, args: unknown): Promise<PlatformCallRun> {
  const wire = args as Partial<WireAction> | undefined;
  if (typeof wire?.platform !== 'string' || typeof wire.actionId !== 'string' || !wire.chat || !wire.sender)
    return { ok: false, error: { code: 'bad_request', message: 'malformed forwarded button press' } };
  const action: InboundAction = {
    id: String(wire.id),
    chat: wire.chat,
    sender: wire.sender,
    messageId: String(wire.messageId),
    actionId: wire.actionId,
    receivedAt: new Date(String(wire.receivedAt)),
    raw: { forwarded: true },
  };
  return { ok: true, result: { handled: await answerForwardedAction(rt, wire.platform, action) } };
}
