// The one target parser lives in core; re-exported here because send_message's callers speak in targets.
export {
  formatMessageTarget,
  type MessageTarget,
  type ParsedMessageTarget,
  parseMessageTarget,
} from '@hermes/adapter-core';
export { type Agent, type AgentOptions, createAgent } from './agent.js';
export {
  type ApprovalDecision,
  type ApprovalGate,
  type ApprovalGateOptions,
  type ApprovalRequest,
  type ApprovalRequestInput,
  type ApprovalScope,
  type ApprovalTicket,
  createApprovalGate,
  DEFAULT_APPROVAL_TTL_MS,
  type InMemoryApprovalGate,
  type ResolveOptions,
} from './approvals/approval-gate.js';
export {
  type CheckpointStore,
  type CheckpointStoreOptions,
  createCheckpointStore,
} from './checkpoints/checkpoint-store.js';
export type {
  Checkpoint,
  CheckpointErrorCode,
  CheckpointFailure,
  ListResult as CheckpointListResult,
  RestoreResult as CheckpointRestoreResult,
  SnapshotInput as CheckpointSnapshotInput,
  SnapshotResult as CheckpointSnapshotResult,
  TerminalCheckpoints,
} from './checkpoints/checkpoint-types.js';
export { mightChangeFiles } from './checkpoints/mutating-command.js';
export { type CompressInput, type CompressResult, SUMMARY_PREFIX } from './compress.js';
export { AGENT_SECRET_ENV, type AgentEnv, agentOptionsFromEnv } from './env.js';
export { estimateTokens, sanitizeHistory } from './history.js';
export {
  DEFAULT_MCP_CONNECT_TIMEOUT_MS,
  DEFAULT_MCP_TOOL_TIMEOUT_MS,
  describeMcpSummary,
  type McpHttpServerConfig,
  type McpServerConfig,
  type McpServerSummary,
  type McpStdioServerConfig,
} from './mcp/mcp-config.js';
export { McpToolHub, type McpToolHubOptions } from './mcp/mcp-tool-hub.js';
export { mcpToolName, mcpToolset } from './mcp/tool-names.js';
export {
  type ModelConfigStatus,
  type ModelSettings,
  noModelNotice,
  OPENAI_DEFAULT_BASE_URL,
  resolveModelConfig,
} from './model-config.js';
export {
  createModelFetch,
  type FetchFunction,
  type ModelFetch,
  ModelFetchAbortError,
  ModelFetchError,
  type ModelFetchErrorCode,
  type ModelFetchOptions,
} from './model-fetch/index.js';
export { type ModelProbeResult, probeModel } from './model-probe.js';
export { describeProviderError, type ProviderErrorInfo } from './provider-errors.js';
export { defineTool, type ToolDefinition } from './tools/define-tool.js';
export {
  createSendMessageTool,
  type SendMessageCall,
  type SendMessageFn,
  type SendMessageResult,
  type SendMessageToolOptions,
} from './tools/send-message/send-message-tool.js';
export {
  type BackgroundNotifyMode,
  type BackgroundProcessEvent,
  type BackgroundProcesses,
  type BackgroundProcessesOptions,
  type BackgroundProcessInfo,
  type BackgroundStartInput,
  createBackgroundProcesses,
  formatBackgroundNotice,
} from './tools/terminal/background-processes.js';
export {
  type DangerMatch,
  type DangerousPattern,
  DEFAULT_DANGEROUS_PATTERNS,
  detectDangerousCommand,
  normalizeCommand,
} from './tools/terminal/dangerous-commands.js';
export { createTerminalTool, scrubbedEnv, type TerminalToolOptions } from './tools/terminal/terminal-tool.js';
export type {
  AgentErrorCode,
  AgentEvent,
  AgentEventType,
  AgentLogger,
  AgentTool,
  ApprovalOutcome,
  ChatMessage,
  ChatToolCall,
  ReasoningEffort,
  RunTurnInput,
  SteerSource,
  ToolContext,
  ToolLimits,
  ToolProvider,
  ToolResult,
  UsageEvent,
} from './types.js';
export { createUsageTracker, type UsageSnapshot, type UsageTotals, type UsageTracker } from './usage.js';
