import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import type {
  Checkpoint,
  CheckpointFailure,
  ListResult,
  RestoreResult,
  SnapshotInput,
  SnapshotResult,
  TerminalCheckpoints,
} from './checkpoint-types.js';
import { type GitRun, runGit } from './git-process.js';

export interface CheckpointStoreOptions {
  /** Folder of the shadow repositories, e.g. `$HERMES_HOME/checkpoints` (created 0700). */
  root: string;
  /** The git binary. Default `git` from PATH. */
  git?: string;
  /** Files larger than this are left out of snapshots. Default 10 MiB. */
  maxFileBytes?: number;
  /** A folder with more files than this (after .gitignore) is not snapshotted at all. Default 10,000. */
  maxFiles?: number;
  /** Snapshots kept per working folder; the oldest go first. Default 50. */
  maxCheckpoints?: number;
  /** Per git call. Default 30 s. */
  timeoutMs?: number;
}

export interface CheckpointStore extends TerminalCheckpoints {
  readonly limits: { maxFileBytes: number; maxFiles: number; maxCheckpoints: number };
  /** Newest first; only one session's when `sessionKey` is given. */
  list(filter?: { sessionKey?: string }): Promise<ListResult>;
  /**
   * Puts the folder back as the snapshot has it: changed and deleted files are written back, files
   * created since are removed. Ignored and oversized files are never touched. A snapshot of the state
   * before the restore is taken first, so a rollback can be undone.
   */
  restore(id: string, by: { sessionKey: string }): Promise<RestoreResult>;
  /** Undefined when git runs; otherwise why not, with the fix. */
  gitProblem(): Promise<CheckpointFailure | undefined>;
}

const WORKDIR_FILE = 'hermes-workdir';
const REF_PREFIX = 'refs/hermes/';
/** Folders nobody wants in a snapshot even without a .gitignore saying so. */
const DEFAULT_EXCLUDES = ['node_modules/', '.venv/', 'venv/', '__pycache__/', '.cache/', '.DS_Store', ''];

const GIT_FIX =
  'install git (e.g. `apt install git` or `brew install git`) so the gateway finds it on its PATH, then restart the gateway';

function failure(run: Exclude<GitRun, { ok: true }>): CheckpointFailure {
  if (run.code === 'git_missing')
    return { ok: false, code: 'git_missing', message: 'git is not installed', fix: GIT_FIX };
  return { ok: false, code: run.code, message: run.message };
}

interface Meta {
  v: 1;
  session: string;
  command: string;
  at: number;
}

export function createCheckpointStore(options: CheckpointStoreOptions): CheckpointStore {
  const root = resolve(options.root);
  const git = options.git ?? 'git';
  const limits = {
    maxFileBytes: options.maxFileBytes ?? 10 * 1024 * 1024,
    maxFiles: options.maxFiles ?? 10_000,
    maxCheckpoints: options.maxCheckpoints ?? 50,
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One operation at a time per shadow repository: two snapshots would share its index.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const prev = queues.get(key) ?? Promise.resolve();
    const next = prev.then(work, work);
    queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };

  const keyOf = (dir: string) => createHash('sha256').update(dir).digest('hex').slice(0, 16);
  const repoOf = (key: string) => join(root, key);
  const gitIn = (key: string, dir: string, args: string[], input?: string) =>
    runGit(args, { git, gitDir: repoOf(key), workTree: dir, timeoutMs, ...(input ? { input } : {}) });

  async function ensureRepo(key: string, dir: string): Promise<CheckpointFailure | undefined> {
    const repo = repoOf(key);
    if (existsSync(join(repo, WORKDIR_FILE))) return undefined;
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const init = await runGit(['init', '--bare', '--quiet', repo], { git, timeoutMs });
    if (!init.ok) return failure(init);
    writeFileSync(join(repo, 'info', 'exclude'), DEFAULT_EXCLUDES.join('\n'));
    writeFileSync(join(repo, WORKDIR_FILE), dir);
    return undefined;
  }

  function refuseDir(dir: string): CheckpointFailure | undefined {
    if (!isAbsolute(dir)) return { ok: false, code: 'dir_refused', message: `${dir} is not absolute` };
    if (dir === sep || dir === normalize(homedir()))
      return {
        ok: false,
        code: 'dir_refused',
        message: `${dir} is too broad to snapshot (the root or home folder)`,
        fix: 'run commands in a project folder (the terminal tool’s cwd or workdir)',
      };
    try {
      if (!lstatSync(dir).isDirectory())
        return { ok: false, code: 'dir_refused', message: `${dir} is not a folder` };
    } catch {
      return { ok: false, code: 'dir_refused', message: `${dir} does not exist` };
    }
    return undefined;
  }

  /** Writes the folder's current files into a fresh index and returns the tree, or why not. */
  async function writeTree(
    key: string,
    dir: string,
  ): Promise<{ ok: true; tree: string; skippedLarge: string[] } | CheckpointFailure> {
    rmSync(join(repoOf(key), 'index'), { force: true });
    const listed = await gitIn(key, dir, ['ls-files', '-z', '--others', '--exclude-standard']);
    if (!listed.ok) return failure(listed);
    // An embedded repository shows up as `sub/`: it has its own history, so it is left to it.
    const paths = listed.stdout.split('\0').filter((p) => p && !p.endsWith('/'));
    if (paths.length > limits.maxFiles)
      return {
        ok: false,
        code: 'too_many_files',
        message: `${dir} has ${paths.length} files (more than ${limits.maxFiles}), so it is not snapshotted`,
        fix: 'add generated folders to its .gitignore, or raise checkpoints.max_files',
      };
    const keep: string[] = [];
    const skippedLarge: string[] = [];
    for (const p of paths) {
      let size = 0;
      try {
        size = lstatSync(join(dir, p)).size;
      } catch {
        continue; // gone since it was listed
      }
      if (size > limits.maxFileBytes) skippedLarge.push(p);
      else keep.push(p);
    }
    if (keep.length > 0) {
      const added = await gitIn(key, dir, ['update-index', '--add', '-z', '--stdin'], `${keep.join('\0')}\0`);
      if (!added.ok) return failure(added);
    }
    const tree = await gitIn(key, dir, ['write-tree']);
    if (!tree.ok) return failure(tree);
    return { ok: true, tree: tree.stdout.trim(), skippedLarge };
  }

  interface RefRow {
    ref: string;
    commit: string;
    tree: string;
    meta: Meta | undefined;
  }

  async function refs(key: string, dir: string): Promise<RefRow[] | CheckpointFailure> {
    const r = await gitIn(key, dir, [
      'for-each-ref',
      '--sort=-refname',
      '--format=%(refname)%00%(objectname)%00%(tree)%00%(contents:subject)',
      REF_PREFIX,
    ]);
    if (!r.ok) return failure(r);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref = '', commit = '', tree = '', subject = ''] = line.split('\0');
        let meta: Meta | undefined;
        try {
          meta = JSON.parse(subject) as Meta;
        } catch {
          meta = undefined;
        }
        return { ref, commit, tree, meta };
      });
  }

  const toCheckpoint = (key: string, dir: string, row: RefRow): Checkpoint => ({
    id: `${key}:${row.commit}`,
    dir,
    at: row.meta?.at ?? 0,
    command: row.meta?.command ?? '',
    sessionKey: row.meta?.session ?? '',
  });

  async function snapshotLocked(input: SnapshotInput, key: string, dir: string): Promise<SnapshotResult> {
    const made = await ensureRepo(key, dir);
    if (made) return made;
    const written = await writeTree(key, dir);
    if (!written.ok) return written;
    const existing = await refs(key, dir);
    if (!Array.isArray(existing)) return existing;
    // Compared with this session's newest, not the folder's: sessions list only their own checkpoints.
    const newest = existing.find((r) => r.meta?.session === input.sessionKey);
    if (newest && newest.tree === written.tree)
      return {
        ok: true,
        created: false,
        checkpoint: toCheckpoint(key, dir, newest),
        skippedLarge: written.skippedLarge,
      };
    const at = Date.now();
    const meta: Meta = { v: 1, session: input.sessionKey, command: input.command.slice(0, 200), at };
    const commit = await gitIn(key, dir, ['commit-tree', written.tree, '-m', JSON.stringify(meta)]);
    if (!commit.ok) return failure(commit);
    const hash = commit.stdout.trim();
    // The time first in the name, so refname order is age order even within one second.
    const ref = `${REF_PREFIX}${String(at).padStart(15, '0')}-${randomBytes(3).toString('hex')}`;
    const updated = await gitIn(key, dir, ['update-ref', ref, hash]);
    if (!updated.ok) return failure(updated);
    const old = existing.slice(Math.max(0, limits.maxCheckpoints - 1));
    if (old.length > 0) {
      const dropped = await gitIn(
        key,
        dir,
        ['update-ref', '--stdin'],
        old.map((r) => `delete ${r.ref}\n`).join(''),
      );
      if (dropped.ok) await gitIn(key, dir, ['prune', '--expire=now']);
    }
    return {
      ok: true,
      created: true,
      checkpoint: { id: `${key}:${hash}`, dir, at, command: meta.command, sessionKey: input.sessionKey },
      skippedLarge: written.skippedLarge,
    };
  }

  const snapshot = (input: SnapshotInput): Promise<SnapshotResult> => {
    const dir = resolve(input.dir);
    const refused = refuseDir(dir);
    if (refused) return Promise.resolve(refused);
    const key = keyOf(dir);
    return serial(key, () => snapshotLocked(input, key, dir));
  };

  async function list(filter: { sessionKey?: string } = {}): Promise<ListResult> {
    if (!existsSync(root)) return { ok: true, checkpoints: [] };
    const all: Checkpoint[] = [];
    for (const key of readdirSync(root)) {
      let dir: string;
      try {
        dir = readFileSync(join(repoOf(key), WORKDIR_FILE), 'utf8');
      } catch {
        continue;
      }
      const rows = await serial(key, () => refs(key, dir));
      if (!Array.isArray(rows)) return rows;
      for (const row of rows) all.push(toCheckpoint(key, dir, row));
    }
    return {
      ok: true,
      checkpoints: all
        .filter((c) => filter.sessionKey === undefined || c.sessionKey === filter.sessionKey)
        .sort((a, b) => b.at - a.at),
    };
  }

  async function restoreLocked(
    key: string,
    commit: string,
    by: { sessionKey: string },
  ): Promise<RestoreResult> {
    let dir: string;
    try {
      dir = readFileSync(join(repoOf(key), WORKDIR_FILE), 'utf8');
    } catch {
      return { ok: false, code: 'not_found', message: 'no such checkpoint' };
    }
    const rows = await refs(key, dir);
    if (!Array.isArray(rows)) return rows;
    const row = rows.find((r) => r.commit === commit);
    if (!row)
      return { ok: false, code: 'not_found', message: 'no such checkpoint (it may have been pruned)' };
    const refused = refuseDir(dir);
    if (refused) return refused;
    const before = await snapshotLocked({ dir, command: '/rollback', sessionKey: by.sessionKey }, key, dir);
    if (!before.ok) return before;
    const beforeTree = await gitIn(key, dir, ['rev-parse', `${before.checkpoint.id.split(':')[1]}^{tree}`]);
    if (!beforeTree.ok) return failure(beforeTree);
    const changes = await gitIn(key, dir, [
      'diff-tree',
      '-r',
      '-z',
      '--no-renames',
      '--name-status',
      beforeTree.stdout.trim(),
      row.tree,
    ]);
    if (!changes.ok) return failure(changes);
    const parts = changes.stdout.split('\0').filter(Boolean);
    const write: string[] = [];
    const remove: string[] = [];
    // A file now over the size limit is not in the undo snapshot: overwriting it could not be undone.
    const large = new Set(before.skippedLarge);
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status = parts[i] ?? '';
      const path = parts[i + 1] ?? '';
      if (large.has(path)) continue;
      if (status === 'D') remove.push(path);
      else write.push(path);
    }
    if (write.length > 0) {
      const read = await gitIn(key, dir, ['read-tree', row.tree]);
      if (!read.ok) return failure(read);
      const out = await gitIn(key, dir, ['checkout-index', '-f', '-z', '--stdin'], `${write.join('\0')}\0`);
      if (!out.ok) return failure(out);
    }
    for (const path of remove) {
      const full = resolve(dir, path);
      // git never lists a path outside the work tree; checked anyway since this deletes.
      if (relative(dir, full).startsWith('..')) continue;
      rmSync(full, { force: true });
    }
    return {
      ok: true,
      checkpoint: toCheckpoint(key, dir, row),
      written: write.length,
      removed: remove.length,
      ...(before.checkpoint.id.endsWith(commit) ? {} : { undo: before.checkpoint }),
    };
  }

  function restore(id: string, by: { sessionKey: string }): Promise<RestoreResult> {
    const m = /^([0-9a-f]{16}):([0-9a-f]{40,64})$/.exec(id);
    if (!m?.[1] || !m[2])
      return Promise.resolve({ ok: false, code: 'not_found', message: `${id} is not a checkpoint id` });
    const key = m[1];
    const commit = m[2];
    return serial(key, () => restoreLocked(key, commit, by));
  }

  async function gitProblem(): Promise<CheckpointFailure | undefined> {
    const r = await runGit(['--version'], { git, timeoutMs });
    return r.ok ? undefined : failure(r);
  }

  return { limits, snapshot, list, restore, gitProblem };
}
