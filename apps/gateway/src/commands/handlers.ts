import { approvedReply, DENIED_REPLY } from './approval-replies.js';
import type { CommandContext } from './context.js';
import { insightsCommand } from './insights-command.js';
import { platformCommand } from './platform-command.js';
import { type CommandOutcome, CommandRegistry, type CommandSpec } from './registry.js';
import { restartCommand } from './restart-command.js';
import { voiceCommand } from './voice-command.js';

const reply = (text: string): CommandOutcome => ({ kind: 'reply', text });

function when(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) : '—';
}

const REASONING_LEVELS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

const specs: CommandSpec[] = [
  {
    name: 'new',
    summary: 'start a new session (an argument becomes its first message)',
    bypass: true,
    async handle(ctx, args) {
      ctx.lanes.interrupt(ctx.sessionKey, { discardQueued: true, reason: 'new session' });
      await ctx.resetSession('new');
      if (args) return { kind: 'agent', text: args };
      return reply(
        '✨ New session started! The agent starts fresh, with no memory of the previous conversation.',
      );
    },
  },
  {
    name: 'reset',
    summary: 'clear the conversation and start over',
    bypass: true,
    async handle(ctx) {
      ctx.lanes.interrupt(ctx.sessionKey, { discardQueued: true, reason: 'session reset' });
      await ctx.resetSession('reset');
      return reply('✨ Session reset! The agent starts fresh, with no memory of the previous conversation.');
    },
  },
  {
    name: 'stop',
    summary: 'stop the current task',
    bypass: true,
    async handle(ctx) {
      if (ctx.lanes.isStarting(ctx.sessionKey) && !ctx.lanes.isBusy(ctx.sessionKey)) {
        return reply('⏳ The agent is still starting up — nothing to stop yet.');
      }
      const { wasRunning, dropped } = ctx.lanes.interrupt(ctx.sessionKey, {
        discardQueued: true,
        reason: '/stop',
      });
      if (!wasRunning) return reply('No active task to stop.');
      const extra = dropped.length ? ` ${dropped.length} queued message(s) were discarded.` : '';
      return reply(`⚡ Stopping the current task… the agent will wrap up its current step.${extra}`);
    },
  },
  {
    name: 'status',
    summary: 'session, usage and connected platforms',
    bypass: true,
    async handle(ctx) {
      const s = await ctx.activeSession();
      const m = ctx.model();
      const platforms =
        ctx
          .platforms()
          .map((p) => `${p.platform} (${p.status})`)
          .join(', ') || 'none';
      const pending = ctx.approvals.pending(ctx.sessionKey).length;
      return reply(
        [
          '📊 **Hermes Gateway Status**',
          `Session: \`${s ? s.id.slice(0, 12) : 'none yet'}\``,
          `Created: ${when(s?.createdAt)} · Last activity: ${when(s?.updatedAt)}`,
          `Tokens: ${s?.totalTokens ?? 0} (prompt ${s?.inputTokens ?? 0}, completion ${s?.outputTokens ?? 0})`,
          `Model: ${m.configured ? (m.model ?? 'default') : 'not configured'}`,
          `Agent running: ${ctx.lanes.isBusy(ctx.sessionKey) ? 'Yes ⚡' : 'No'}${ctx.lanes.queued(ctx.sessionKey) ? ` (${ctx.lanes.queued(ctx.sessionKey)} queued)` : ''}`,
          ...(pending ? [`Approvals waiting: ${pending}`] : []),
          `Platforms: ${platforms}`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'help',
    summary: 'list the commands',
    bypass: true,
    handle: (ctx) => reply(['📖 **Hermes Commands**', ...ctx.helpLines()].join('\n')),
  },
  {
    name: 'retry',
    summary: 'send your last message again',
    bypass: false,
    async handle(ctx) {
      const s = await ctx.activeSession();
      const last = s ? await ctx.sessions.truncateAtLastUserMessage(s.id) : undefined;
      if (!last?.content) return reply('No previous message to retry.');
      return { kind: 'agent', text: last.content };
    },
  },
  {
    name: 'undo',
    summary: 'remove your last message and the reply to it',
    bypass: false,
    async handle(ctx) {
      const s = await ctx.activeSession();
      if (!s) return reply('Nothing to undo.');
      const before = (await ctx.sessions.transcript(s.id)).length;
      const last = await ctx.sessions.truncateAtLastUserMessage(s.id);
      if (!last) return reply('Nothing to undo.');
      const removed = before - (await ctx.sessions.transcript(s.id)).length;
      const preview = (last.content ?? '').slice(0, 40);
      return reply(
        `↩️ Undid ${removed} message(s). Removed: "${preview}${(last.content ?? '').length > 40 ? '…' : ''}"`,
      );
    },
  },
  {
    name: 'queue',
    aliases: ['q'],
    summary: 'queue a message as its own turn after the current one, without interrupting',
    bypass: true,
    async handle(_ctx, args) {
      if (!args) return reply('Usage: /queue <message>');
      return { kind: 'agent', text: args, busyMode: 'queue' };
    },
  },
  {
    name: 'steer',
    summary: 'add a message to the running turn at its next step, without restarting it',
    bypass: true,
    async handle(_ctx, args) {
      if (!args) return reply('Usage: /steer <message>');
      return { kind: 'agent', text: args, busyMode: 'steer' };
    },
  },
  {
    name: 'sethome',
    summary: 'make this chat the home channel for cron output and cross-platform messages',
    bypass: false,
    async handle(ctx) {
      const name = await ctx.setHomeChannel();
      if (name === undefined)
        return reply(
          `${ctx.msg.chat.platform} has no home channel: answers to it go back where they came from.`,
        );
      return reply(
        `✅ Home channel set to **${name}** (ID: ${ctx.msg.chat.chatId}).\nCron output and cross-platform messages will now go here.`,
      );
    },
  },
  {
    name: 'title',
    summary: 'show or set the session title',
    bypass: false,
    async handle(ctx, args) {
      const s = (await ctx.activeSession()) ?? (await ctx.resetSession('new'));
      if (!args) return reply(`📌 Session: \`${s.id}\` Title: ${s.title ? `**${s.title}**` : 'no title'}`);
      const clash = (await ctx.sessions.recent(ctx.sessionKey, 100)).find(
        (r) => r.title === args && r.id !== s.id,
      );
      if (clash) return reply(`The title "${args}" is already used by session \`${clash.id}\`.`);
      await ctx.sessions.setTitle(s.id, args);
      return reply(`✏️ Session title set: **${args}**`);
    },
  },
  {
    name: 'resume',
    summary: 'list titled sessions, or switch back to one',
    bypass: false,
    async handle(ctx, args) {
      const sessions = await ctx.sessions.recent(ctx.sessionKey, 50);
      if (!args) {
        const titled = sessions.filter((s) => s.title);
        if (titled.length === 0) return reply('No named sessions yet. Name one with /title <name>.');
        return reply(
          [
            '📋 **Named Sessions**',
            ...titled.map((s) => `• **${s.title}** — ${when(s.createdAt)} (\`${s.id}\`)`),
          ].join('\n'),
        );
      }
      const target = sessions.find((s) => s.title === args || s.id === args || s.id.startsWith(args));
      if (!target) return reply(`No session called "${args}". /resume lists them.`);
      if (target.id === (await ctx.activeSession())?.id)
        return reply('That session is already the current one.');
      ctx.lanes.interrupt(ctx.sessionKey, { discardQueued: true, reason: 'session switch' });
      await ctx.sessions.switchTo(ctx.sessionKey, target.id);
      const count = (await ctx.sessions.transcript(target.id)).length;
      return reply(
        `↻ Resumed session **${target.title ?? target.id}** (${count} messages). Conversation restored.`,
      );
    },
  },
  {
    name: 'usage',
    summary: 'token usage of this session',
    bypass: false,
    async handle(ctx) {
      const s = await ctx.activeSession();
      if (!s) return reply('No usage yet in this session.');
      return reply(
        [
          '📊 **Session Token Usage**',
          `Prompt tokens: ${s.inputTokens}`,
          `Completion tokens: ${s.outputTokens}`,
          `Total tokens: ${s.totalTokens}`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'model',
    summary: 'show or switch the model for this session',
    bypass: false,
    async handle(ctx, args) {
      const m = ctx.model();
      if (!args) {
        if (!m.configured)
          return reply(
            'No model is configured. Set OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL (or `model:` in config.yaml).',
          );
        return reply(
          `🤖 Model: \`${m.model ?? 'default'}\`${m.baseURL ? ` at ${m.baseURL}` : ''}\nSwitch for this session with /model <name>.`,
        );
      }
      await ctx.setSessionModel(args === 'default' ? undefined : args);
      return reply(
        args === 'default'
          ? '🤖 Back to the configured model.'
          : `🤖 Model changed to \`${args}\` for this session. It takes effect on the next message.`,
      );
    },
  },
  {
    name: 'provider',
    summary: 'the model provider in use',
    bypass: false,
    async handle(ctx) {
      const m = ctx.model();
      return reply(
        m.configured
          ? `✅ OpenAI-compatible provider at ${m.baseURL ?? 'the default OpenAI endpoint'}`
          : '❌ No provider configured: set OPENAI_BASE_URL and OPENAI_API_KEY.',
      );
    },
  },
  {
    name: 'personality',
    summary: 'set a personality for this session (none to clear)',
    bypass: false,
    async handle(ctx, args) {
      const key = `personality:${ctx.sessionKey}`;
      if (!args)
        return reply(
          `🎭 Personality: ${(await ctx.kv.get<string>(key)) ?? 'default'}. Set one with /personality <description> or clear it with /personality none.`,
        );
      if (['none', 'default', 'neutral'].includes(args.toLowerCase())) {
        await ctx.kv.delete(key);
        return reply('🎭 Personality cleared.');
      }
      await ctx.kv.set(key, args);
      return reply(`🎭 Personality set to **${args}**`);
    },
  },
  {
    name: 'reasoning',
    summary: 'set the reasoning effort (none … xhigh)',
    bypass: false,
    async handle(ctx, args) {
      const key = `reasoning:${ctx.sessionKey}`;
      if (!args)
        return reply(
          `💭 Reasoning effort: ${(await ctx.kv.get<string>(key)) ?? 'model default'}. Options: ${REASONING_LEVELS.join(', ')}.`,
        );
      const level = args.toLowerCase();
      if (!(REASONING_LEVELS as readonly string[]).includes(level))
        return reply(`Unknown level "${args}". Options: ${REASONING_LEVELS.join(', ')}.`);
      await ctx.kv.set(key, level);
      return reply(`💭 Reasoning effort set to **${level}**.`);
    },
  },
  {
    name: 'compress',
    summary: 'summarise the conversation to save context',
    bypass: false,
    handle: async (ctx, args) => reply(await ctx.compress(args)),
  },
  {
    name: 'approve',
    summary: 'approve the pending dangerous command (session|always to remember)',
    bypass: true,
    async handle(ctx, args) {
      const scope = args === 'session' || args === 'always' ? args : 'once';
      const settled = ctx.approvals.resolve('latest', true, { sessionKey: ctx.sessionKey, scope });
      if (!settled) return reply('No pending command to approve.');
      await ctx.settleApprovalButtons(settled.id, `✅ Approved by ${senderName(ctx)}`);
      return reply(approvedReply(scope, settled));
    },
  },
  {
    name: 'deny',
    summary: 'deny the pending dangerous command',
    bypass: true,
    async handle(ctx) {
      const settled = ctx.approvals.resolve('latest', false, { sessionKey: ctx.sessionKey });
      if (!settled) return reply('No pending command to deny.');
      await ctx.settleApprovalButtons(settled.id, `❌ Denied by ${senderName(ctx)}`);
      return reply(DENIED_REPLY);
    },
  },
  {
    name: 'background',
    aliases: ['bg'],
    summary: 'run a prompt in the background on a fresh session',
    bypass: true,
    async handle(ctx, args) {
      if (!args) return reply('Usage: /background <prompt>');
      const id = ctx.startBackground(args);
      return reply(
        `🔄 Background task started: "${args.slice(0, 60)}"\nTask ID: ${id}\nKeep chatting; the result will follow here.`,
      );
    },
  },
];

const senderName = (ctx: CommandContext) => ctx.msg.sender.name ?? ctx.msg.sender.id;

export function createCommandRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  for (const spec of [...specs, platformCommand, insightsCommand, voiceCommand, restartCommand])
    registry.register(spec);
  return registry;
}
