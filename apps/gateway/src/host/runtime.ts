import type {
  AdapterError,
  AdapterStatus,
  ChatRef,
  InboundAction,
  InboundMessage,
  Logger,
  PlatformAdapter,
} from '@hermes/adapter-core';
import type { Agent, ApprovalGate } from '@hermes/agent';
import type { CommandRegistry } from '../commands/registry.js';
import type { LoadedConfig } from '../config/load.js';
import type { ApprovalPrompt } from '../inbound/approval-actions.js';
import type { PairingStore } from '../inbound/pairing-store.js';
import type { Deliverer } from '../outbound/deliverer.js';
import type { PlatformProfile } from '../platforms/platform-profile.js';
import type { Skill } from '../skills/skill-library.js';
import type {
  JournalStorage,
  KvStorage,
  OutboxStorage,
  SessionStorage,
  StateStorage,
  StateUnits,
  TurnLogStorage,
} from '../state/storage.js';
import type { ClarifyQuestions } from '../turn/clarify-questions.js';
import type { PendingInput } from '../turn/compose-turn.js';
import type { LaneScheduler } from '../turn/lane-scheduler.js';
import type { ChatBudgets } from '../turn/streaming/chat-budget.js';

/** The part of @hermes/agent the host uses. */
export type TurnAgent = Pick<Agent, 'runTurn' | 'compress' | 'configured'>;

/** How one platform is doing; `stoppedForGood` is the error no retry can fix, when that is why it is down. */
export interface PlatformStatus {
  platform: string;
  status: AdapterStatus;
  detail?: string;
  stoppedForGood?: AdapterError;
  /** From the adapter's `liveness()`, epoch ms. */
  lastInboundAt?: number;
  lastSendAt?: number;
}

/**
 * The host's parts, built once by GatewayHost. No stage takes all of it: each declares the `Pick` it uses
 * (`IntakeDeps`, `TurnDeps`, `ApprovalActionDeps`, `CronDeps`, …), so what a stage can touch is visible in its type.
 */
export interface HostRuntime {
  config: LoadedConfig;
  /** Live env: starts as config.env, changed by /sethome. */
  env: Record<string, string | undefined>;
  logger: Logger;
  /** SQLite or PostgreSQL; the fields below are its parts, named for the stages that use them. */
  storage: StateStorage;
  sessions: SessionStorage;
  journal: JournalStorage;
  outbox: OutboxStorage;
  kv: KvStorage;
  /** One row per finished turn, for /insights. */
  turns: TurnLogStorage;
  /** Writes that span stores and land together. */
  units: StateUnits;
  pairing: PairingStore;
  approvals: ApprovalGate;
  /** `/new` and `/reset` drop what `/approve session` allowed for the old session. */
  forgetSessionApprovals(sessionKey: string): void;
  agent: TurnAgent;
  commands: CommandRegistry;
  lanes: LaneScheduler<PendingInput>;
  deliverer: Deliverer;
  /** One send/edit budget per chat, shared by every turn's stream edits, tool progress and finals. */
  chatBudgets: ChatBudgets;
  /** Approval prompts sent with buttons, by approval id. In memory like the approvals: a restart withdraws both. */
  approvalPrompts: Map<string, ApprovalPrompt>;
  /** Installed skills (`$HERMES_HOME/skills`): a turn whose platform names some preloads them. */
  skills: readonly Skill[];
  /** Questions the agent's `clarify` tool is waiting on, answered by a button or the next message. */
  clarify: ClarifyQuestions;
  adapterFor(platform: string): PlatformAdapter | undefined;
  /** What the platform's descriptor says: kind, allowlist and home channel env names, id rule. */
  profileOf(platform: string): PlatformProfile;
  /** The platform's home channel (set by /sethome or the env), if any. */
  homeChannelOf(platform: string): string | undefined;
  platformStatuses(): PlatformStatus[];
  /** `/platform pause|resume`: false when already in that state. */
  pausePlatform(platform: string): Promise<boolean>;
  resumePlatform(platform: string): Promise<boolean>;
  startBackground(chat: ChatRef, sessionKey: string, prompt: string): string;
  /** Set on SIGTERM: interrupted turns are left open in the journal and replayed on the next start. */
  shuttingDown: boolean;
  /**
   * Per platform, while a taken-over connection's leftovers are replayed: new messages (journaled at once)
   * start after it, so each chat's older messages go first.
   */
  replayBarriers: Map<string, Promise<void>>;
  /**
   * Replicas sharing turns (PostgreSQL): messages of these platforms are journaled here and run by whichever
   * replica claims their session; `wake` asks this replica to look for them. Absent: run where they arrive.
   */
  /**
   * Replicas: a button press whose question or approval is not waiting here is offered to the other live
   * replicas (the turn that asked runs on one of them). True when one answered it. Absent: alone.
   */
  forwardAction?: (platform: string, action: InboundAction) => Promise<boolean>;
  sessionDispatch:
    | {
        readonly platforms: ReadonlySet<string>;
        wake(): void;
        /** The message as the adapter handed it, for its attachments' downloads. */
        keep(journalId: number, msg: InboundMessage): void;
      }
    | undefined;
  /**
   * `/restart`: false when nobody would start the gateway again (a foreground run). Otherwise the chat is
   * remembered for the "back online" notice and the process drains and exits for its service manager, once
   * `afterReply` settled (the command's own answer has left).
   */
  requestRestart(chat: ChatRef, afterReply?: Promise<void>): boolean;
  sessionKeyOf(msg: InboundMessage): string;
}
