import type { ApprovalGate } from '../approvals/approval-gate.js';
import { truncateText } from '../tools/terminal/output-buffer.js';
import type {
  AgentEvent,
  AgentLogger,
  AgentTool,
  ApprovalOutcome,
  ChatMessage,
  ChatToolCall,
  ToolContext,
  ToolResult,
} from '../types.js';

export interface ToolRunDeps {
  tools: ReadonlyMap<string, AgentTool>;
  sessionKey: string;
  approvals: ApprovalGate;
  context: Record<string, unknown>;
  signal: AbortSignal;
  logger: AgentLogger;
  emit(event: AgentEvent): void;
  /** Cap on one tool result put into the transcript. */
  maxToolOutputChars: number;
}

const PREVIEW_KEYS = ['command', 'query', 'path', 'url', 'target', 'file', 'name'];
const EVENT_OUTPUT_CHARS = 2000;
const PREVIEW_CHARS = 80;

export function defaultPreview(args: Record<string, unknown>): string {
  for (const key of PREVIEW_KEYS) if (typeof args[key] === 'string') return args[key];
  const first = Object.values(args).find((v) => typeof v === 'string');
  return typeof first === 'string' ? first : '';
}

function previewOf(tool: AgentTool | undefined, args: Record<string, unknown>): string {
  let text = '';
  try {
    text = (tool?.preview ? tool.preview(args) : undefined) ?? defaultPreview(args);
  } catch {
    text = defaultPreview(args);
  }
  return truncateText(text.replace(/\s+/g, ' ').trim(), PREVIEW_CHARS);
}

function parseArgs(raw: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return 'the arguments must be a JSON object';
  } catch {
    return 'the arguments are not valid JSON';
  }
}

function approvalBridge(deps: ToolRunDeps): ToolContext['requestApproval'] {
  return async (command, reason, patternKey): Promise<ApprovalOutcome> => {
    const ticket = deps.approvals.request({
      sessionKey: deps.sessionKey,
      command,
      reason,
      patternKey,
      signal: deps.signal,
    });
    if (ticket.status === 'preapproved') return { approved: true, scope: 'preapproved' };
    const { request } = ticket;
    deps.logger.info('approval requested', { approvalId: request.id, pattern: patternKey });
    deps.emit({
      type: 'approval-request',
      id: request.id,
      sessionKey: request.sessionKey,
      command: request.command,
      reason: request.reason,
      expiresAt: request.expiresAt,
    });
    const decision = await ticket.decision;
    deps.logger.info('approval settled', { approvalId: request.id, approved: decision.approved });
    return decision;
  };
}

async function runOne(deps: ToolRunDeps, call: ChatToolCall): Promise<ToolResult> {
  const name = call.function.name;
  const tool = deps.tools.get(name);
  const args = parseArgs(call.function.arguments);
  const argsObject = typeof args === 'string' ? {} : args;
  deps.emit({
    type: 'tool-start',
    id: call.id,
    name,
    args: argsObject,
    preview: previewOf(tool, argsObject),
    emoji: tool?.emoji ?? '⚙️',
  });
  const started = performance.now();
  let result: ToolResult;
  if (!tool) {
    const known = [...deps.tools.keys()].join(', ') || 'none';
    result = { ok: false, output: `There is no tool named "${name}". Available tools: ${known}.` };
  } else if (typeof args === 'string') {
    result = { ok: false, output: `Could not run ${name}: ${args}. Send the arguments as a JSON object.` };
  } else {
    const ctx: ToolContext = {
      sessionKey: deps.sessionKey,
      toolCallId: call.id,
      signal: deps.signal,
      approvals: deps.approvals,
      context: deps.context,
      logger: deps.logger,
      requestApproval: approvalBridge(deps),
    };
    try {
      result = await tool.execute(args, ctx);
    } catch (error) {
      deps.logger.warn('tool threw', {
        tool: name,
        error: error instanceof Error ? error.message : String(error),
      });
      result = {
        ok: false,
        output: `The ${name} tool failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      };
    }
  }
  const output = truncateText(result.output, deps.maxToolOutputChars);
  deps.emit({
    type: 'tool-end',
    id: call.id,
    name,
    ok: result.ok,
    output: truncateText(output, EVENT_OUTPUT_CHARS),
    durationMs: Math.round(performance.now() - started),
  });
  return { ok: result.ok, output };
}

/**
 * Runs the model's tool calls one after another (order matters for shell work). Every call gets a tool
 * message, even the ones skipped after an interrupt, so the stored transcript stays valid for the next turn.
 */
export async function runToolCalls(
  deps: ToolRunDeps,
  calls: readonly ChatToolCall[],
  into: ChatMessage[],
): Promise<{ interrupted: boolean }> {
  for (const call of calls) {
    if (deps.signal.aborted) {
      into.push({ role: 'tool', tool_call_id: call.id, content: 'Not run: the user interrupted the turn.' });
      continue;
    }
    const result = await runOne(deps, call);
    into.push({ role: 'tool', tool_call_id: call.id, content: result.output });
  }
  return { interrupted: deps.signal.aborted };
}
