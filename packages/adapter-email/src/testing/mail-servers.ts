import { execFile, spawn } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, openSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const DOVECOT = '/usr/sbin/dovecot';
const POSTFIX = '/usr/sbin/postfix';
const MASTER_CF_DIST = '/usr/share/postfix/master.cf.dist';
/** Every mailbox belongs to `nobody`: dovecot's static userdb delivers as this uid. */
const MAIL_UID = 65534;

/** The domain every test address lives in; postfix hands all of it to dovecot over LMTP. */
export const MAIL_TEST_DOMAIN = 'example.test';
/** Every account on the throwaway dovecot accepts this password (a static passdb: any user exists). */
export const MAIL_TEST_PASSWORD = 'hermes-test-pw';

/** Why the real mail servers cannot run here, or undefined when they can. */
export function mailServersUnavailable(): string | undefined {
  for (const binary of [DOVECOT, POSTFIX]) {
    try {
      accessSync(binary, fsConstants.X_OK);
    } catch {
      return `${binary} is not installed: run tooling/ci/install-mail-servers.sh as root`;
    }
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'postfix only starts as root: run the email tests as root';
  }
  return undefined;
}

export interface MailServers {
  /** dovecot IMAP, plain text (no TLS) on 127.0.0.1. */
  readonly imapPort: number;
  /** postfix SMTP, plain text on 127.0.0.1, relaying every address of MAIL_TEST_DOMAIN to dovecot. */
  readonly smtpPort: number;
  /** dovecot LMTP, for tests that deliver straight into a mailbox. */
  readonly lmtpPort: number;
  readonly dir: string;
  /** Resolves once postfix has handed every accepted message on (its queue is empty). */
  waitForQueueEmpty(timeoutMs?: number): Promise<void>;
  /** The tail of the postfix and dovecot logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs a server's control command with its output in a log file: daemons inherit stdio, so a pipe would
 * keep the command "running" for as long as the daemon lives.
 */
async function control(command: string, args: string[], logFile: string, timeoutMs = 15_000): Promise<void> {
  const fd = openSync(logFile, 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', fd, fd], timeout: timeoutMs });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}`));
      });
    });
  } finally {
    closeSync(fd);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

function dovecotConfig(dir: string, ports: { imap: number; lmtp: number }): string {
  return `protocols = imap lmtp
listen = 127.0.0.1
base_dir = ${dir}/dovecot/run
state_dir = ${dir}/dovecot/state
log_path = ${dir}/dovecot/dovecot.log
info_log_path = ${dir}/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests log in with wrong passwords on purpose; the default 2 s penalty only slows them down.
auth_failure_delay = 0
mail_location = maildir:${dir}/boxes/%n/Maildir
first_valid_uid = 1
mail_uid = ${MAIL_UID}
mail_gid = ${MAIL_UID}
passdb {
  driver = static
  args = password=${MAIL_TEST_PASSWORD}
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${dir}/boxes/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${ports.lmtp}
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
protocol lmtp {
  postmaster_address = postmaster@${MAIL_TEST_DOMAIN}
}
lmtp_save_to_detail_mailbox = no
`;
}

function postfixMainCf(dir: string, lmtpPort: number): string {
  return `compatibility_level = 3.6
queue_directory = ${dir}/postfix/queue
data_directory = ${dir}/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.${MAIL_TEST_DOMAIN}
mydomain = ${MAIL_TEST_DOMAIN}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
virtual_mailbox_domains = ${MAIL_TEST_DOMAIN}
virtual_transport = lmtp:inet:127.0.0.1:${lmtpPort}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
disable_dns_lookups = yes
relayhost =
maillog_file = ${dir}/postfix/postfix.log
maillog_file_prefixes = ${dir}
alias_maps =
alias_database =
biff = no
message_size_limit = 52428800
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
lmtp_destination_concurrency_limit = 20
# Test mail should not wait: no inflow throttling, no delivery retry backoff.
in_flow_delay = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`;
}

/** Debian's master.cf with smtpd on our port only and nothing chrooted (the queue lives in a temp dir). */
async function postfixMasterCf(smtpPort: number): Promise<string> {
  const dist = await readFile(MASTER_CF_DIST, 'utf8');
  const lines = dist.split('\n').map((line) => {
    if (/^smtp\s+inet\s/.test(line)) return `127.0.0.1:${smtpPort} inet n - n - - smtpd`;
    const fields = line.split(/\s+/);
    // service type private unpriv chroot ...: the chroot column (5th) must be n outside a chroot jail.
    if (/^[a-z]/.test(line) && fields.length >= 8 && fields[4] === 'y') {
      fields[4] = 'n';
      return fields.join(' ');
    }
    return line;
  });
  return lines.join('\n');
}

async function queueFileCount(queueDir: string): Promise<number> {
  let count = 0;
  for (const sub of ['maildrop', 'incoming', 'active', 'deferred', 'hold']) {
    const walk = async (path: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) await walk(join(path, entry.name));
        else count += 1;
      }
    };
    await walk(join(queueDir, sub));
  }
  return count;
}

async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts a throwaway dovecot (IMAP + LMTP) and postfix (SMTP) on free 127.0.0.1 ports, with configs in a
 * fresh temp dir, and stops them again. Any address @example.test is a mailbox; every account's password is
 * MAIL_TEST_PASSWORD. Needs root (postfix) and the Debian packages: check mailServersUnavailable() first.
 */
export async function startMailServers(): Promise<MailServers> {
  const why = mailServersUnavailable();
  if (why !== undefined) throw new Error(`cannot start the test mail servers: ${why}`);
  const dir = await mkdtemp(join(tmpdir(), 'hermes-mail-'));
  await chmod(dir, 0o755);
  const [imapPort, lmtpPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  for (const sub of [
    'dovecot/run',
    'dovecot/state',
    'boxes',
    'postfix/etc',
    'postfix/queue',
    'postfix/data',
  ]) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await chown(join(dir, 'boxes'), MAIL_UID, MAIL_UID);
  const dovecotConf = join(dir, 'dovecot/dovecot.conf');
  await writeFile(dovecotConf, dovecotConfig(dir, { imap: imapPort, lmtp: lmtpPort }));
  const postfixEtc = join(dir, 'postfix/etc');
  await writeFile(join(postfixEtc, 'main.cf'), postfixMainCf(dir, lmtpPort));
  await writeFile(join(postfixEtc, 'master.cf'), await postfixMasterCf(smtpPort));
  const { stdout: postfixUid } = await run('id', ['-u', 'postfix']);
  const { stdout: postfixGid } = await run('id', ['-g', 'postfix']);
  await chown(join(dir, 'postfix/data'), Number(postfixUid.trim()), Number(postfixGid.trim()));

  const queueDir = join(dir, 'postfix/queue');
  const controlLog = join(dir, 'control.log');
  const logs = async (): Promise<string> => {
    const tail = async (path: string) => {
      try {
        return (await readFile(path, 'utf8')).split('\n').slice(-30).join('\n');
      } catch {
        return '(no log)';
      }
    };
    return `--- control.log\n${await tail(controlLog)}\n--- postfix.log\n${await tail(join(dir, 'postfix/postfix.log'))}\n--- dovecot.log\n${await tail(join(dir, 'dovecot/dovecot.log'))}`;
  };

  let dovecotStarted = false;
  let postfixStarted = false;
  const stopPostfix = async () => {
    if (!postfixStarted) return;
    postfixStarted = false;
    await control(POSTFIX, ['-c', postfixEtc, 'stop'], controlLog).catch(() => undefined);
    await killLeftover(join(queueDir, 'pid/master.pid'));
  };
  const stopDovecot = async () => {
    if (!dovecotStarted) return;
    dovecotStarted = false;
    await control(DOVECOT, ['-c', dovecotConf, 'stop'], controlLog).catch(() => undefined);
    // dovecot stop returns before its children are gone; the base dir must outlive them.
    await killLeftover(join(dir, 'dovecot/run/master.pid'));
  };
  const stop = async () => {
    await Promise.all([stopPostfix(), stopDovecot()]);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // Both at once: postfix's start script alone takes a second or two of checks.
    await Promise.all([
      control(DOVECOT, ['-c', dovecotConf], controlLog).then(() => {
        dovecotStarted = true;
      }),
      // postfix reports start errors only to syslog, which a container lacks: the control log and the
      // maillog_file have them.
      control(POSTFIX, ['-c', postfixEtc, 'start'], controlLog).then(
        () => {
          postfixStarted = true;
        },
        async (error: Error) => {
          throw new Error(`postfix did not start: ${error.message}\n${await logs()}`);
        },
      ),
    ]);
    await waitForPort(imapPort, 10_000, 'dovecot IMAP');
    await waitForPort(lmtpPort, 10_000, 'dovecot LMTP');
    await waitForPort(smtpPort, 10_000, 'postfix SMTP');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    imapPort,
    smtpPort,
    lmtpPort,
    dir,
    logs,
    async waitForQueueEmpty(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = await queueFileCount(queueDir);
        if (left === 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `postfix still has ${left} message(s) queued after ${timeoutMs} ms\n${await logs()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop,
  };
}

/** Waits for the daemon of a pid file to exit; a daemon that outlives its stop command is killed. */
async function killLeftover(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 5_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (alive()) process.kill(pid, 'SIGKILL');
}
