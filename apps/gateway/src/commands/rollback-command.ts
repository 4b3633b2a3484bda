import type { Checkpoint, CheckpointFailure, CheckpointStore } from '@hermes/agent';
import type { CommandOutcome, CommandSpec } from './registry.js';

export interface RollbackDeps {
  /** Undefined when `checkpoints.enabled` is false. */
  store: Pick<CheckpointStore, 'list' | 'restore' | 'gitProblem' | 'limits'> | undefined;
  /** The terminal's default folder: checkpoints of other folders name theirs. */
  workDir: string;
  now?: () => Date;
}

const reply = (text: string): CommandOutcome => ({ kind: 'reply', text });
const SHOWN = 20;

const OFF =
  '📸 Checkpoints are off. Set `checkpoints.enabled: true` in config.yaml and restart the gateway: the ' +
  'working folder is then snapshotted (a shadow git repository under $HERMES_HOME/checkpoints) before each ' +
  'command that may change files, and /rollback can put it back.';

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:05` today, `2026-12-05 14:05` before. Gateway-local time, as the log. */
export function shortTime(at: number, now: Date): string {
  const d = new Date(at);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === now.toDateString()
    ? hm
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

function oneLine(command: string): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return (line.length > 60 ? `${line.slice(0, 59)}…` : line).replace(/`/g, "'");
}

function describe(c: Checkpoint, deps: RollbackDeps, now: Date): string {
  const where = c.dir === deps.workDir ? '' : ` in ${c.dir}`;
  return `${shortTime(c.at, now)}, before \`${oneLine(c.command)}\`${where}`;
}

function problem(f: CheckpointFailure): string {
  return `❌ Checkpoints are unavailable: ${f.message}.${f.fix ? ` Fix: ${f.fix}.` : ''}`;
}

/** `/rollback [list|N]` (spec 4.2): this session's snapshots, newest first; N puts one back. */
export function createRollbackCommand(deps: RollbackDeps): CommandSpec {
  return {
    name: 'rollback',
    summary: 'list file checkpoints of this session, or restore one (/rollback N)',
    // A restore under a running command would race it.
    bypass: false,
    async handle(ctx, args) {
      const store = deps.store;
      if (!store) return reply(OFF);
      const gitMissing = await store.gitProblem();
      if (gitMissing) return reply(problem(gitMissing));
      const word = args.trim().toLowerCase();
      const now = deps.now?.() ?? new Date();
      const listed = await store.list({ sessionKey: ctx.sessionKey });
      if (!listed.ok) return reply(problem(listed));
      const checkpoints = listed.checkpoints;
      const { maxFileBytes, maxCheckpoints } = store.limits;
      const bounds = `Files over ${Math.round(maxFileBytes / 1024 / 1024)} MB and .gitignored files are not kept; at most ${maxCheckpoints} checkpoints per folder.`;
      if (word === '' || word === 'list') {
        if (checkpoints.length === 0)
          return reply(
            `📸 No checkpoints in this session yet: one is taken before each terminal command that may change files.\n${bounds}`,
          );
        const lines = checkpoints.slice(0, SHOWN).map((c, i) => `${i + 1}. ${describe(c, deps, now)}`);
        const more = checkpoints.length > SHOWN ? [`… and ${checkpoints.length - SHOWN} older`] : [];
        return reply(
          [
            '📸 **Checkpoints** (newest first)',
            ...lines,
            ...more,
            'Restore one with /rollback <number>.',
            bounds,
          ].join('\n'),
        );
      }
      if (!/^\d+$/.test(word))
        return reply(
          `Unknown option "${args.trim()}". Usage: /rollback (or /rollback list) | /rollback <number>`,
        );
      const n = Number(word);
      const target = checkpoints[n - 1];
      if (!target)
        return reply(
          checkpoints.length === 0
            ? 'No checkpoints in this session yet, so there is nothing to restore.'
            : `There is no checkpoint ${n}: this session has ${checkpoints.length} (/rollback lists them).`,
        );
      const restored = await store.restore(target.id, { sessionKey: ctx.sessionKey });
      if (!restored.ok) return reply(`❌ Checkpoint ${n} was not restored: ${restored.message}.`);
      const undo =
        restored.undo && restored.undo.sessionKey === ctx.sessionKey
          ? '\nThe files as they were just before are saved as checkpoint 1: /rollback 1 undoes this.'
          : '';
      return reply(
        `✅ Restored to checkpoint ${n} (${describe(target, deps, now)}): ${restored.written} file(s) written back, ${restored.removed} removed.${undo}`,
      );
    },
  };
}
