import { spawn } from 'node:child_process';

/** What one git invocation gave: its output, or why it could not (missing binary, failure, timeout). */
export type GitRun =
  | { ok: true; stdout: string }
  | { ok: false; code: 'git_missing' | 'git_failed' | 'git_timeout'; message: string };

export interface GitInvocation {
  git: string;
  /** The shadow repository (`--git-dir`). */
  gitDir?: string;
  /** The user's folder (`--work-tree`); never gets a `.git` of ours. */
  workTree?: string;
  /** Written to stdin, then closed. */
  input?: string;
  timeoutMs: number;
}

/**
 * The env a shadow-repo git runs with: the user's own git settings (global config, hooks, an exported
 * GIT_DIR or GIT_INDEX_FILE) must not change what a checkpoint holds or where it goes.
 */
function gitEnv(o: GitInvocation): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1',
    GIT_AUTHOR_NAME: 'Hermes checkpoints',
    GIT_AUTHOR_EMAIL: 'checkpoints@hermes.invalid',
    GIT_COMMITTER_NAME: 'Hermes checkpoints',
    GIT_COMMITTER_EMAIL: 'checkpoints@hermes.invalid',
    LC_ALL: 'C',
    ...(o.gitDir ? { GIT_DIR: o.gitDir } : {}),
    ...(o.workTree ? { GIT_WORK_TREE: o.workTree } : {}),
  };
}

const MAX_STDERR = 2000;

/** Runs git without a shell; never rejects. */
export function runGit(args: readonly string[], o: GitInvocation): Promise<GitRun> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: GitRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(o.git, args, {
      env: gitEnv(o),
      cwd: o.workTree ?? o.gitDir ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < MAX_STDERR) err += d.toString();
    });
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ ok: false, code: 'git_timeout', message: `git ${args[0]} took over ${o.timeoutMs} ms` });
    }, o.timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) =>
      done(
        e.code === 'ENOENT'
          ? { ok: false, code: 'git_missing', message: `${o.git} not found` }
          : { ok: false, code: 'git_failed', message: e.message },
      ),
    );
    child.once('close', (code) => {
      if (code === 0) done({ ok: true, stdout: Buffer.concat(out).toString('utf8') });
      else
        done({
          ok: false,
          code: 'git_failed',
          message: `git ${args[0]} exited ${code}: ${err.trim().slice(0, 500)}`,
        });
    });
    child.stdin.end(o.input ?? '');
  });
}
