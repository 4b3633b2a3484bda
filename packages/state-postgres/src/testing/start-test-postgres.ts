import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresAvailability, type RunAs } from './postgres-availability.js';

export interface TestPostgres {
  /** Superuser URL of the `postgres` database, e.g. `postgres://postgres@127.0.0.1:54321/postgres`. */
  readonly url: string;
  readonly port: number;
  /** The postmaster's pid (for tests that pause or kill the server). */
  readonly pid: number;
  /** Creates an empty database and returns its URL: one per test keeps tests independent. */
  createDatabase(name?: string): Promise<string>;
  /** The tail of the server log, for failure messages. */
  logs(): Promise<string>;
  /** Fast shutdown (SIGKILL after a bounded wait), then removes the cluster's directory. */
  stop(): Promise<void>;
}

export interface StartTestPostgresOptions {
  /** Bound on initdb + start + first connection (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Keep PostgreSQL's own durability (fsync, synchronous commit, full page writes) as an operator runs it:
   * for benchmarks. Tests leave it off, which is faster and loses nothing a test looks at.
   */
  readonly durable?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function runCommand(argv: readonly string[], cwd: string, timeoutMs: number): Promise<void> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(
      command ?? '',
      args,
      { cwd, timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' } },
      (error, _out, err) => {
        if (error) reject(new Error(`${argv.join(' ')} failed: ${error.message}\n${err}`));
        else resolve();
      },
    );
  });
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForConnections(
  url: string,
  child: ChildProcess,
  dataDir: string,
  deadline: number,
  log: string,
): Promise<void> {
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `postgres exited (${child.exitCode ?? child.signalCode}) before accepting connections:\n${await tail(log)}`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    let servedFrom: string | undefined;
    try {
      await client.connect();
      const row = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
      servedFrom = row.rows[0]?.dir;
      await client.end();
    } catch (error) {
      lastError = (error as Error).message;
      await client.end().catch(() => {});
    }
    if (servedFrom === dataDir) return;
    // Another server took the port between our probe and our bind: never hand out someone else's cluster.
    if (servedFrom !== undefined)
      throw new Error(`port taken by another PostgreSQL (data directory ${servedFrom})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `postgres did not accept connections in time (last error: ${lastError}):\n${await tail(log)}`,
  );
}

function withUser(runAs: RunAs | undefined, argv: readonly string[]): string[] {
  return [...(runAs?.prefix ?? []), ...argv];
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 (trust auth, loopback only, fsync off unless `durable`):
 * for tests and benchmarks only.
 * Check `postgresAvailability()` first; this throws with the same reason when it cannot run.
 */
export async function startTestPostgres(options: StartTestPostgresOptions = {}): Promise<TestPostgres> {
  const avail = postgresAvailability();
  if (!avail.ok) throw new Error(`cannot start a test PostgreSQL: ${avail.reason}`);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const dir = await mkdtemp(join(tmpdir(), 'hermes-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  let child: ChildProcess | undefined;
  try {
    if (avail.runAs) await chown(dir, avail.runAs.uid, avail.runAs.gid);
    await runCommand(
      withUser(avail.runAs, [
        join(avail.binDir, 'initdb'),
        '-D',
        data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]),
      dir,
      Math.max(1_000, deadline - Date.now()),
    );
    // Another process may grab the free port between the probe and the bind: retry with a new one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const fd = openSync(log, 'a');
      const argv = withUser(avail.runAs, [
        join(avail.binDir, 'postgres'),
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        ...(options.durable
          ? []
          : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        '-c',
        'max_connections=200',
      ]);
      const started = spawn(argv[0] ?? '', argv.slice(1), { cwd: dir, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child = started;
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      try {
        await waitForConnections(url, started, data, deadline, log);
      } catch (error) {
        started.kill('SIGKILL');
        await exited(started);
        const portTaken = /could not bind|Address already in use|port taken/.test(
          `${error}\n${await tail(log)}`,
        );
        if (attempt < 3 && portTaken) continue;
        throw error;
      }
      return handle(url, port, started, dir, log);
    }
  } catch (error) {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function handle(url: string, port: number, child: ChildProcess, dir: string, log: string): TestPostgres {
  let counter = 0;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    pid: child.pid ?? -1,
    async createDatabase(name) {
      const db = name ?? `t${process.pid}_${++counter}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db))
        throw new Error(`database name "${db}" must match [a-z_][a-z0-9_]*`);
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${db}`);
    },
    logs: () => tail(log, 60),
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT'); // a test may have paused it
          child.kill('SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait on fsync=off
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited(child);
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
