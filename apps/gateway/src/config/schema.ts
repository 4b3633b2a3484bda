import { z } from 'zod';
import { closestKey } from './errors.js';

const resetPolicySchema = z.strictObject({
  mode: z.enum(['daily', 'idle', 'both', 'none']).default('none'),
  at_hour: z.number().int().min(0).max(23).default(4),
  idle_minutes: z.number().int().positive().default(1440),
  notify: z.boolean().default(true),
  /** Chat platforms that get no reset notice; non-chat platforms (webhook, API server) never get one. */
  notify_exclude_platforms: z.array(z.string()).default([]),
});
export type ResetPolicyConfig = z.infer<typeof resetPolicySchema>;
export const defaultResetPolicy: ResetPolicyConfig = resetPolicySchema.parse({});

/**
 * Keys every platform understands. Platform-specific keys pass through to the adapter's own schema,
 * which validates them when the platform is enabled (so a typo there is reported by that adapter).
 */
const platformSchema = z.looseObject({
  enabled: z.boolean().optional(),
  home_channel: z.string().optional(),
  reply_to_mode: z.enum(['off', 'first', 'all']).optional(),
  unauthorized_dm_behavior: z.enum(['pair', 'ignore']).optional(),
  require_mention: z.boolean().optional(),
  /** Overrides `display.busy_input_mode` (and HERMES_BUSY_INPUT_MODE) for this platform. */
  busy_input_mode: z.enum(['interrupt', 'queue', 'steer']).optional(),
  /** Overrides `display.streaming` (and HERMES_STREAMING) for this platform. */
  streaming: z.enum(['off', 'edit', 'native']).optional(),
  /** Whether admins may run `/update` from this platform (spec 1.4); default: yes on chat platforms. */
  allow_update_command: z.boolean().optional(),
});

/**
 * `/rollback` (spec 4.2): snapshots of the terminal's working folder in a shadow git repository under
 * `$HERMES_HOME/checkpoints`, taken before commands that may change files. Off unless enabled: the spec's
 * command "needs checkpoints.enabled".
 */
const checkpointsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Kept per working folder; the oldest go first. */
  max_snapshots: z.number().int().positive().max(1000).default(50),
  /** Larger files are left out of snapshots (and so never restored). */
  max_file_size_mb: z.number().positive().max(1024).default(10),
  /** A folder with more files than this (after .gitignore) is not snapshotted. */
  max_files: z.number().int().positive().max(1_000_000).default(10_000),
});
export type CheckpointsConfig = z.infer<typeof checkpointsSchema>;

const modelSchema = z.union([
  z.string().min(1),
  z.strictObject({
    name: z.string().min(1).optional(),
    default: z.string().min(1).optional(),
    base_url: z.string().url().optional(),
    api_key: z.string().optional(),
    provider: z.string().optional(),
  }),
]);

const MCP_SERVER_KEYS = [
  'command',
  'args',
  'env',
  'cwd',
  'url',
  'headers',
  'timeout_seconds',
  'connect_timeout_seconds',
] as const;

/** YAML reads `PORT: 8080` as a number; an env var or header is text either way. */
const textValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

/**
 * One MCP server: `command` (a stdio child) or `url` (streamable HTTP). Loose plus a refinement, not
 * strict, so an unknown key is reported with the keys a server takes and a "did you mean" (the loader's
 * table of known keys only covers fixed paths, and a server's name is the user's).
 */
const mcpServerSchema = z
  .looseObject({
    command: z.string().min(1).optional(),
    args: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    env: textValues.optional(),
    cwd: z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/, error: 'write an http:// or https:// URL' }).optional(),
    headers: textValues.optional(),
    /** One tool call's limit (default 60). */
    timeout_seconds: z.number().positive().max(3600).optional(),
    /** Start, handshake and tool listing (default 20). */
    connect_timeout_seconds: z.number().positive().max(600).optional(),
  })
  .superRefine((server, ctx) => {
    for (const key of Object.keys(server)) {
      if ((MCP_SERVER_KEYS as readonly string[]).includes(key)) continue;
      const near = closestKey(key, MCP_SERVER_KEYS);
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}; an MCP server takes ${MCP_SERVER_KEYS.join(', ')}: remove it or fix the spelling`,
      });
    }
    if (server.command !== undefined && server.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give either command (a stdio server) or url (a streamable HTTP server), not both',
      });
    if (server.command === undefined && server.url === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'give command (a stdio server to start, with optional args, env, cwd) or url (a streamable HTTP server)',
      });
    if (server.url !== undefined)
      for (const key of ['args', 'env', 'cwd'] as const)
        if (server[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key} is only for stdio servers (command); remove it from this url server`,
          });
    if (server.command !== undefined && server.headers !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['headers'],
        message: 'headers are only for url servers; pass a stdio server its secrets through env',
      });
  });
export type McpServerFileConfig = z.infer<typeof mcpServerSchema>;

export const gatewayConfigSchema = z.strictObject({
  model: modelSchema.optional(),
  platforms: z.record(z.string(), platformSchema).default({}),
  session_reset: resetPolicySchema.partial().optional(),
  reset_by_type: z
    .partialRecord(z.enum(['dm', 'group', 'thread', 'channel']), resetPolicySchema.partial())
    .default({}),
  reset_by_platform: z.record(z.string(), resetPolicySchema.partial()).default({}),
  reset_triggers: z.array(z.string()).default(['/new', '/reset']),
  group_sessions_per_user: z.boolean().default(true),
  thread_sessions_per_user: z.boolean().default(false),
  unauthorized_dm_behavior: z.enum(['pair', 'ignore']).default('pair'),
  display: z
    .strictObject({
      tool_progress: z.enum(['off', 'new', 'all', 'verbose']).default('all'),
      /** A message sent while the agent runs: interrupt (default), queue, or steer. */
      busy_input_mode: z.enum(['interrupt', 'queue', 'steer']).optional(),
      /** How a chat reply grows while the model writes it; unset = the best the platform has. */
      streaming: z.enum(['off', 'edit', 'native']).optional(),
    })
    .default({ tool_progress: 'all' }),
  gateway: z
    .strictObject({
      max_concurrent_runs: z.number().int().positive().default(8),
      drain_timeout_seconds: z.number().positive().default(30),
      /** Who may run admin commands (`/platform pause`): `<platform>:<user id>` entries. Nobody by default. */
      allow_admin_from: z
        .array(z.string().regex(/^[a-z][a-z0-9_-]*:.+$/, 'write <platform>:<user id>'))
        .default([]),
    })
    .default({ max_concurrent_runs: 8, drain_timeout_seconds: 30, allow_admin_from: [] }),
  agent: z
    .strictObject({
      system_prompt: z.string().optional(),
      max_tool_iterations: z.number().int().positive().optional(),
      personality: z.string().optional(),
    })
    .default({}),
  quick_commands: z.record(z.string(), z.string()).default({}),
  checkpoints: checkpointsSchema.default(checkpointsSchema.parse({})),
  /**
   * Where the gateway keeps its state. Absent: `state.db` (SQLite) in HERMES_HOME. A `postgres://` URL
   * (or `HERMES_DATABASE_URL`, which wins) puts it in PostgreSQL, shared by every replica.
   */
  state: z
    .strictObject({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    })
    .default({}),
  /**
   * MCP servers whose tools the agent gets as `<server>__<tool>`; `/reload-mcp` re-reads this section.
   * A server's name becomes the tool prefix and the `mcp:<server>` toolset.
   */
  mcp_servers: z
    .record(z.string(), mcpServerSchema)
    // A refined key (not a key schema) so the message says what to write; zod's own is "Invalid key".
    .superRefine((servers, ctx) => {
      for (const key of Object.keys(servers))
        if (!/^[A-Za-z0-9_-]{1,32}$/.test(key) || key.includes('__'))
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message:
              'name an MCP server with 1-32 letters, digits, "-" or "_" (no "__": it separates server and tool in tool names)',
          });
    })
    .default({}),
  /**
   * Per-channel model and system prompt (spec 1.10), keyed `<platform>` or `<platform>:<chat id>`; the chat
   * entry wins over the platform one, and a session's own /model wins over both.
   */
  channel_overrides: z
    .record(
      z.string(),
      z.strictObject({ model: z.string().min(1).optional(), system_prompt: z.string().min(1).optional() }),
    )
    // A refined key (not a key schema) so the message says what to write; zod's own is "Invalid key".
    .superRefine((overrides, ctx) => {
      for (const key of Object.keys(overrides))
        if (!/^[a-z][a-z0-9_]*(:.+)?$/.test(key))
          ctx.addIssue({ code: 'custom', path: [key], message: 'write <platform> or <platform>:<chat id>' });
    })
    .default({}),
});

export type GatewayFileConfig = z.infer<typeof gatewayConfigSchema>;
