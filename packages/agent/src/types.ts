import type { ApprovalGate } from './approvals/approval-gate.js';

/**
 * One transcript entry, in the OpenAI chat wire shape (snake_case kept on purpose): the host can store
 * these as JSON and hand them back as `history` without any mapping.
 */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** Structurally the same as `Logger` from @hermes/adapter-core, so the host can pass its logger as is. */
export interface AgentLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export type AgentErrorCode =
  | 'auth_failed'
  | 'model_not_found'
  | 'rate_limited'
  | 'context_too_long'
  | 'network'
  | 'timeout'
  | 'overloaded'
  | 'server_error'
  | 'bad_request'
  | 'bad_response'
  | 'unknown';

export interface UsageEvent {
  type: 'usage';
  /** The model that was asked (the per-turn override if one was given). */
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Model requests made in this turn (one per tool-loop step). */
  apiCalls: number;
  /** Prompt size of the last request: how full the context window is now. */
  lastPromptTokens: number;
}

/** Everything a turn reports, in order. `done` is always the last event and comes exactly once. */
export type AgentEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  | {
      type: 'tool-start';
      id: string;
      name: string;
      args: Record<string, unknown>;
      preview: string;
      emoji: string;
    }
  | { type: 'tool-end'; id: string; name: string; ok: boolean; output: string; durationMs: number }
  | {
      type: 'approval-request';
      id: string;
      sessionKey: string;
      command: string;
      reason: string;
      expiresAt: number;
    }
  | UsageEvent
  | { type: 'error'; code: AgentErrorCode; message: string; retryAfterMs?: number }
  | {
      type: 'done';
      /** The final reply (on interrupt: what was written before it; after an `error`: usually empty). */
      text: string;
      /** New transcript entries to append after the user message: assistant and tool messages. */
      messages: ChatMessage[];
      interrupted: boolean;
    };

export type AgentEventType = AgentEvent['type'];

export interface ToolResult {
  ok: boolean;
  /** What the model sees. */
  output: string;
}

/** What a tool gets while it runs. */
export interface ToolContext {
  sessionKey: string;
  toolCallId: string;
  /** Aborted when the turn is interrupted: stop work and return promptly. */
  signal: AbortSignal;
  approvals: ApprovalGate;
  /** Host-supplied facts about the chat (platform, chatId, threadId, chatName, …). */
  context: Record<string, unknown>;
  logger: AgentLogger;
  /** Asks the user to approve a dangerous action; resolves once the gate decides. */
  requestApproval(command: string, reason: string, patternKey: string): Promise<ApprovalOutcome>;
}

export type ApprovalOutcome =
  | { approved: true; scope: 'once' | 'session' | 'always' | 'preapproved' }
  | { approved: false; reason: 'denied' | 'expired' | 'aborted' };

export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object, as the OpenAI `tools[].function.parameters` field wants it. */
  parameters: Record<string, unknown>;
  /** Shown in tool-progress lines (spec 5.2), e.g. 💻 for terminal. */
  emoji?: string;
  /**
   * The toolset this tool belongs to (spec: `terminal`, `cronjob`, `messaging`, …), which per-turn limits
   * name. Default: the tool's name.
   */
  toolset?: string;
  /** The primary argument for a progress line; defaults to command/query/path/url/target. */
  preview?(args: Record<string, unknown>): string | undefined;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/**
 * Tools that can change while the agent lives (MCP servers reloaded by `/reload-mcp`): consulted at the
 * start of every turn, so a turn keeps the set it started with.
 */
export interface ToolProvider {
  tools(): readonly AgentTool[];
}

export interface RunTurnInput {
  sessionKey: string;
  history: ChatMessage[];
  userText: string;
  signal: AbortSignal;
  approvals: ApprovalGate;
  context?: Record<string, unknown>;
  /** Per-turn overrides (session-scoped `/model`, `/reasoning`, `/personality`). */
  model?: string;
  reasoningEffort?: ReasoningEffort;
  /** Replaces the agent's system prompt for this turn. */
  systemPrompt?: string;
  /** Limits the tools this turn offers the model; absent: every tool the agent has. */
  toolLimits?: ToolLimits;
  /**
   * Messages the user sent while this turn runs, to be folded in without restarting it. Drained after each
   * tool round, right before the next model request; what is still waiting when the turn ends was never
   * seen by the model, so the host must run it as a turn of its own.
   */
  steer?: SteerSource;
}

export interface SteerSource {
  /** Takes everything waiting (oldest first); each text becomes one user message. */
  drain(): readonly string[] | Promise<readonly string[]>;
}

/**
 * `toolsets` present: only tools in those toolsets. `withoutToolsets`: every tool except those toolsets.
 * A tool the model calls outside the limits is refused like an unknown tool, never run.
 */
export interface ToolLimits {
  toolsets?: readonly string[];
  withoutToolsets?: readonly string[];
}
