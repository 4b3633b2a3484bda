import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import type { TerminalCheckpoints } from '../../checkpoints/checkpoint-types.js';
import { mightChangeFiles } from '../../checkpoints/mutating-command.js';
import type { AgentTool, ToolContext, ToolResult } from '../../types.js';
import { defineTool } from '../define-tool.js';
import type { BackgroundProcesses } from './background-processes.js';
import {
  type DangerousPattern,
  DEFAULT_DANGEROUS_PATTERNS,
  detectDangerousCommand,
} from './dangerous-commands.js';
import { type CommandOutcome, runCommand } from './run-command.js';

export interface TerminalToolOptions {
  /** Working directory for commands (default: the process's). */
  cwd?: string;
  /** Default per-command timeout. Default 180 s. */
  timeoutMs?: number;
  /** Upper bound for a timeout the model asks for. Default 600 s. */
  maxTimeoutMs?: number;
  /** Output kept per command (head and tail). Default 20,000 characters. */
  maxOutputChars?: number;
  /** Default /bin/bash, else /bin/sh. */
  shell?: string;
  /** Base environment. Default: this process's env without variables that look like secrets. */
  env?: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL grace on interrupt or timeout. Default 1000 ms. */
  killGraceMs?: number;
  dangerousPatterns?: readonly DangerousPattern[];
  /** false = run dangerous commands without asking (the `/yolo` posture). Default true. */
  requireApproval?: boolean;
  /** Enables `background: true` (spec 5.4): the command keeps running after the tool returns. */
  background?: BackgroundProcesses;
  /**
   * Snapshots the working folder before each command that might change files (`/rollback`); off when
   * absent. A failed snapshot is logged and the command runs anyway.
   */
  checkpoints?: TerminalCheckpoints;
}

const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|COOKIE|PRIVATE/i;

/** The model can run `env`; our own API keys and platform tokens must not be in what it reads back. */
export function scrubbedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!SECRET_NAME.test(name)) out[name] = value;
  return out;
}

/** Spec 1.9 per-turn env: tools and scripts the model runs can see which chat they serve. */
function sessionEnv(ctx: ToolContext): Record<string, string> {
  const env: Record<string, string> = { HERMES_SESSION_KEY: ctx.sessionKey };
  const map: Record<string, string> = {
    platform: 'HERMES_SESSION_PLATFORM',
    chatId: 'HERMES_SESSION_CHAT_ID',
    chatName: 'HERMES_SESSION_CHAT_NAME',
    threadId: 'HERMES_SESSION_THREAD_ID',
  };
  for (const [key, name] of Object.entries(map)) {
    const v = ctx.context[key];
    if (typeof v === 'string' || typeof v === 'number') env[name] = String(v);
  }
  return env;
}

async function takeCheckpoint(
  checkpoints: TerminalCheckpoints,
  dir: string,
  command: string,
  ctx: ToolContext,
): Promise<void> {
  try {
    const r = await checkpoints.snapshot({ dir, command, sessionKey: ctx.sessionKey });
    if (!r.ok)
      ctx.logger.warn('checkpoint not taken', {
        code: r.code,
        reason: r.message,
        ...(r.fix ? { fix: r.fix } : {}),
      });
    else if (r.skippedLarge.length > 0)
      ctx.logger.info('checkpoint left out files over the size limit', { count: r.skippedLarge.length });
  } catch (err) {
    ctx.logger.warn('checkpoint not taken', { reason: (err as Error).message });
  }
}

const toolError = (error: string): ToolResult => ({ ok: false, output: JSON.stringify({ error }) });

function describeOutcome(outcome: CommandOutcome, timeoutMs: number): ToolResult {
  switch (outcome.kind) {
    case 'exited': {
      const exitCode = outcome.exitCode ?? (outcome.signal ? 128 : 1);
      const body: Record<string, unknown> = { exit_code: exitCode, output: outcome.output };
      if (outcome.signal) body['note'] = `killed by ${outcome.signal}`;
      return { ok: exitCode === 0, output: JSON.stringify(body) };
    }
    case 'timed-out':
      return {
        ok: false,
        output: JSON.stringify({
          exit_code: 124,
          output: outcome.output,
          error: `Timed out after ${Math.round(timeoutMs / 1000)} s; the command and its children were stopped.`,
        }),
      };
    case 'interrupted':
      return {
        ok: false,
        output: JSON.stringify({ exit_code: 130, output: outcome.output, error: 'Interrupted by the user.' }),
      };
    case 'spawn-failed':
      return {
        ok: false,
        output: JSON.stringify({ error: `Could not start the command: ${outcome.message}` }),
      };
  }
}

const DENIAL_TEXT = {
  denied:
    'The user denied this command, so it was not run. Do not retry it; ask the user what to do instead.',
  expired: 'Nobody approved this command in time, so it was treated as denied and not run.',
  aborted: 'The turn was interrupted while this command waited for approval; it was not run.',
} as const;

const argsSchema = z.object({
  command: z.string().min(1).describe('The shell command to run.'),
  timeout: z.number().positive().optional().describe('Timeout in seconds (optional).'),
  workdir: z.string().min(1).optional().describe('Working directory, absolute or relative (optional).'),
  background: z
    .boolean()
    .optional()
    .describe(
      'Start it in the background and return at once (servers, long builds); you are told when it ends.',
    ),
});

export function createTerminalTool(options: TerminalToolOptions = {}): AgentTool {
  const cwd = options.cwd ?? process.cwd();
  const defaultTimeout = options.timeoutMs ?? 180_000;
  const maxTimeout = options.maxTimeoutMs ?? 600_000;
  const shell = options.shell ?? (existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh');
  const baseEnv = options.env ?? scrubbedEnv(process.env);
  const patterns = options.dangerousPatterns ?? DEFAULT_DANGEROUS_PATTERNS;
  const background = options.background;

  const tool = defineTool({
    name: 'terminal',
    emoji: '💻',
    description:
      'Run a shell command on the host and return its exit code and output (stdout and stderr together, ' +
      'long output shortened in the middle). Destructive commands need the user to approve them first.',
    schema: argsSchema,
    preview: (args) => args.command,
    async execute(args, ctx) {
      const danger =
        options.requireApproval === false ? undefined : detectDangerousCommand(args.command, patterns);
      if (danger) {
        const outcome = await ctx.requestApproval(args.command, danger.reason, danger.key);
        if (!outcome.approved) return toolError(DENIAL_TEXT[outcome.reason]);
      }
      const workdir = args.workdir ? resolvePath(cwd, args.workdir) : cwd;
      const env = { ...baseEnv, ...sessionEnv(ctx) };
      if (options.checkpoints && mightChangeFiles(args.command))
        await takeCheckpoint(options.checkpoints, workdir, args.command, ctx);
      if (args.background) {
        if (!background) return toolError('Background mode is not available here.');
        const started = background.start({
          sessionKey: ctx.sessionKey,
          command: args.command,
          cwd: workdir,
          env,
          shell,
          context: ctx.context,
        });
        if (!started.ok) return toolError(started.error);
        const note = `Started in the background as ${started.process.id}; you will be told when it finishes.`;
        return { ok: true, output: JSON.stringify({ process_id: started.process.id, note }) };
      }
      const timeoutMs = Math.min(
        args.timeout === undefined ? defaultTimeout : args.timeout * 1000,
        maxTimeout,
      );
      const outcome = await runCommand({
        command: args.command,
        cwd: workdir,
        env,
        shell,
        timeoutMs,
        maxOutputChars: options.maxOutputChars ?? 20_000,
        killGraceMs: options.killGraceMs ?? 1000,
        signal: ctx.signal,
      });
      if (outcome.kind !== 'exited') ctx.logger.info('terminal command stopped', { kind: outcome.kind });
      return describeOutcome(outcome, timeoutMs);
    },
  });
  // Without a background registry the model should not even see the option.
  if (!background) delete (tool.parameters['properties'] as Record<string, unknown>)['background'];
  return tool;
}
