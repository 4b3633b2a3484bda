import type { PlatformAdapter } from '@hermes/adapter-core';
import type { PlatformCallRun, PlatformCalls } from '../state/storage.js';

/** The forwarded call that runs a platform's agent tool (Home Assistant's `ha_*`) on the connection's holder. */
export const AGENT_TOOL_OP = 'agent-tool';

/** A tool run may take a while (a service call that waits on a device); past this the caller gives up. */
const TOOL_TIMEOUT_MS = 120_000;

export type ToolOutcome = { ok: boolean; output: string };

/** Runs one agent tool on the platform the tool belongs to. */
export type AgentToolRunner = (
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<ToolOutcome>;

interface ToolArgs {
  platform: string;
  name: string;
  args: Record<string, unknown>;
}

/**
 * A platform tool called in a turn on a replica that does not hold the platform's connection: the holder
 * runs it on its live connection. The agent hears plainly when it could not, or when the outcome is unknown.
 */
export function agentToolElsewhere(calls: Pick<PlatformCalls, 'call'>, platform: string): AgentToolRunner {
  return async (name, args, signal) => {
    const wire: ToolArgs = { platform, name, args };
    const outcome = await calls.call(platform, AGENT_TOOL_OP, wire, TOOL_TIMEOUT_MS);
    if (signal.aborted) return { ok: false, output: 'stopped' };
    if (outcome.state === 'done') {
      const r = outcome.result as Partial<ToolOutcome> | undefined;
      return { ok: r?.ok === true, output: typeof r?.output === 'string' ? r.output : '' };
    }
    if (outcome.state === 'failed') return { ok: false, output: `${name} failed: ${outcome.error.message}` };
    return {
      ok: false,
      output: outcome.taken
        ? `${name} was started by the replica holding the ${platform} connection but did not answer in time; it may or may not have run`
        : `no replica holding the ${platform} connection took ${name} in time; it did not run`,
    };
  };
}

/** The holder's side: runs the named tool of its live adapter. */
export async function serveAgentTool(
  adapterFor: (platform: string) => PlatformAdapter | undefined,
  raw: unknown,
): Promise<PlatformCallRun> {
  const wire = raw as Partial<ToolArgs> | undefined;
  if (typeof wire?.platform !== 'string' || typeof wire.name !== 'string' || typeof wire.args !== 'object')
    return { ok: false, error: { code: 'bad_request', message: 'malformed agent tool call' } };
  const tool = adapterFor(wire.platform)
    ?.agentTools?.()
    .find((t) => t.name === wire.name);
  if (!tool)
    return {
      ok: false,
      error: { code: 'not_found', message: `${wire.platform} has no tool ${wire.name} on this replica` },
    };
  const result = await tool.execute(wire.args ?? {}, AbortSignal.timeout(TOOL_TIMEOUT_MS));
  return { ok: true, result: { ok: result.ok, output: result.output } };
}
