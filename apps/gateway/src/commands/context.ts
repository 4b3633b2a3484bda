import type { AdapterStatus, InboundMessage } from '@hermes/adapter-core';
import type { ApprovalGate } from '@hermes/agent';
import type { SessionRow } from '../state/session-store.js';
import type { KvStorage, SessionStorage, TurnLogStorage } from '../state/storage.js';
import type { LaneScheduler } from '../turn/lane-scheduler.js';

/** What command handlers may touch. The host builds one per command. */
export interface CommandContext {
  msg: InboundMessage;
  sessionKey: string;
  sessions: SessionStorage;
  lanes: LaneScheduler<unknown>;
  approvals: ApprovalGate;
  kv: KvStorage;
  turns: TurnLogStorage;
  /** The env the gateway runs with (process env over `.env`, changed by /sethome). */
  env: Readonly<Record<string, string | undefined>>;
  platforms(): Array<{
    platform: string;
    status: AdapterStatus;
    detail?: string;
    lastInboundAt?: number;
    lastSendAt?: number;
  }>;
  /** Settles the buttons of an approval prompt answered by a typed command. */
  settleApprovalButtons(approvalId: string, outcome: string): Promise<void>;
  /** The sender is listed in `gateway.allow_admin_from`. */
  isAdmin(): boolean;
  /** False when the gateway runs in the foreground (nobody would start it again). */
  requestRestart(): boolean;
  pausePlatform(platform: string): Promise<boolean>;
  resumePlatform(platform: string): Promise<boolean>;
  activeSession(): Promise<SessionRow | undefined>;
  /** Ends the active session (if any) and opens a fresh one under the same key. */
  resetSession(reason: 'reset' | 'new'): Promise<SessionRow>;
  model(): { model?: string; baseURL?: string; configured: boolean };
  setSessionModel(model: string | undefined): Promise<void>;
  /** The chat's name, or undefined when the platform has no home channel. */
  setHomeChannel(): Promise<string | undefined>;
  startBackground(prompt: string): string;
  compress(focus: string): Promise<string>;
  helpLines(): string[];
}
