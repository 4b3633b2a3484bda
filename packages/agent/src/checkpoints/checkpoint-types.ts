/** One snapshot of a working folder, taken before a command that might change files. */
export interface Checkpoint {
  /** `<folder key>:<commit>`: names the shadow repository and the snapshot in it. */
  id: string;
  /** The working folder the snapshot is of. */
  dir: string;
  /** Epoch ms. */
  at: number;
  /** The command that ran right after the snapshot (what a restore undoes), cut to 200 chars. */
  command: string;
  sessionKey: string;
}

export type CheckpointErrorCode =
  | 'git_missing'
  | 'git_failed'
  | 'git_timeout'
  | 'dir_refused'
  | 'too_many_files'
  | 'not_found';

export interface CheckpointFailure {
  ok: false;
  code: CheckpointErrorCode;
  message: string;
  /** What the operator can do about it. */
  fix?: string;
}

export type SnapshotResult =
  | {
      ok: true;
      /** false when the folder is as the newest snapshot has it: that one is returned instead. */
      created: boolean;
      checkpoint: Checkpoint;
      /** Files left out for being over the size limit (relative paths). */
      skippedLarge: string[];
    }
  | CheckpointFailure;

export type ListResult = { ok: true; checkpoints: Checkpoint[] } | CheckpointFailure;

export type RestoreResult =
  | {
      ok: true;
      checkpoint: Checkpoint;
      /** Files written back (changed or deleted since the snapshot). */
      written: number;
      /** Files created since the snapshot, removed. */
      removed: number;
      /** The snapshot taken right before restoring: restoring it undoes the rollback. */
      undo?: Checkpoint;
    }
  | CheckpointFailure;

export interface SnapshotInput {
  /** Absolute working folder. */
  dir: string;
  /** The command about to run. */
  command: string;
  sessionKey: string;
}

/** The one thing the terminal tool needs: a snapshot before a command that might change files. */
export interface TerminalCheckpoints {
  snapshot(input: SnapshotInput): Promise<SnapshotResult>;
}
