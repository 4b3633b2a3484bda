import { createRequire } from 'node:module';
import { Command } from 'commander';
import { cronCommand } from './cli/cron.js';
import { doctor } from './cli/doctor.js';
import { migrateStateCommand } from './cli/migrate-state-command.js';
import { pairingApprove, pairingClearPending, pairingList, pairingRevoke } from './cli/pairing.js';
import { runGateway } from './cli/run-gateway.js';
import { ServiceCommands } from './cli/service/service-manager.js';
import { type SetupFlags, setupWizard } from './cli/setup/setup-wizard.js';
import { status } from './cli/status.js';

const out = (line: string) => console.log(line);
const finish = (code: number) => {
  process.exitCode = code;
};

// dist/cli.js → the package's own package.json, in the repo and in an installed tarball alike.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command('hermes')
  .description('Hermes Gateway: an AI agent in every chat app')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError();

const gateway = program
  .command('gateway')
  .description('run the messaging gateway in the foreground')
  .option('--json-logs', 'log JSON lines to the console even on a terminal (HERMES_LOG_FORMAT=json)');
/**
 * Exits once the gateway has stopped and flushed its log: a platform library may leave ref'd timers behind
 * (matrix-js-sdk keeps one per request, up to 110 s for /sync), and a stopped gateway must not linger.
 */
const runAndExit = async (o: { jsonLogs?: boolean }) => {
  const code = await runGateway({ ...o, version });
  finish(code);
  setTimeout(() => process.exit(code), 250).unref();
};
gateway.action(runAndExit);
gateway
  .command('run')
  .description('run the gateway in the foreground (same as `hermes gateway`)')
  .option('--json-logs', 'log JSON lines to the console even on a terminal (HERMES_LOG_FORMAT=json)')
  .action(runAndExit);

gateway
  .command('setup')
  .description('configure a platform: credentials checked before saving, written to ~/.hermes/.env')
  .option('--platform <id>', 'the platform to set up (otherwise a menu)')
  .option('--set <KEY=value...>', 'a value to write (scripts; repeatable)')
  .option('--allow <ids>', 'allowlist these user ids')
  .option('--pairing', 'unknown users get a pairing code')
  .option('--open', 'everyone may talk to the agent')
  .option('--home <chat>', 'home channel')
  .option('--skip-check', 'save even if the credential check fails')
  .option('--yes', 'no prompts (scripts)')
  .action(async (o: SetupFlags) => finish(await setupWizard(o, out)));
const service = () => new ServiceCommands(process.env, out);
gateway
  .command('install')
  .description('install a service that runs the gateway (systemd user unit, or launchd on macOS)')
  .option('--system', 'a system unit that runs as you (needs root)')
  .option('--force', 'rewrite an existing unit')
  .action(async (o: { system?: boolean; force?: boolean }) => finish(await service().install(o)));
gateway
  .command('uninstall')
  .description('stop and remove the service')
  .option('--system', 'the system unit')
  .action(async (o: { system?: boolean }) => finish(await service().uninstall(o)));
for (const action of ['start', 'stop', 'restart'] as const)
  gateway
    .command(action)
    .description(`${action} the installed service`)
    .option('--system', 'the system unit')
    .action(async (o: { system?: boolean }) => finish(await service().control(action, o)));
gateway
  .command('status')
  .description("the service's state and the gateway's own per-platform status")
  .option('--system', 'the system unit')
  .action(async (o: { system?: boolean }) => finish(await service().status(o)));

const pairing = program.command('pairing').description('DM pairing: approve who may talk to the agent');
pairing
  .command('list')
  .description('pending requests and approved users')
  .action(async () => finish(await pairingList(out)));
pairing
  .command('approve <platform> <code>')
  .description('approve a pairing code a user received')
  .action(async (platform: string, code: string) => finish(await pairingApprove(platform, code, out)));
pairing
  .command('revoke <platform> <user_id>')
  .description('remove an approved user')
  .action(async (platform: string, userId: string) => finish(await pairingRevoke(platform, userId, out)));
pairing
  .command('clear-pending [platform]')
  .description('drop pending pairing requests')
  .action(async (platform: string | undefined) => finish(await pairingClearPending(platform, out)));

program
  .command('cron <action> [args...]')
  .description('scheduled prompts: list | create <schedule> <prompt…> | pause | resume | run | remove <id>')
  .option('--name <name>', 'a name for a new job')
  .option(
    '--deliver <target>',
    'origin | local | <platform> | <platform>:<chat_id>[:<thread_id>] (comma-separated)',
  )
  .option('--repeat <n>', 'number of runs in all')
  .action(
    async (action: string, args: string[], opts: { name?: string; deliver?: string; repeat?: string }) => {
      if (!['list', 'create', 'pause', 'resume', 'run', 'remove'].includes(action)) {
        console.error(`hermes cron: unknown action "${action}" (list, create, pause, resume, run, remove)`);
        finish(2);
        return;
      }
      finish(await cronCommand(action, args, opts, out));
    },
  );
program
  .command('doctor')
  .description('check config, env and credentials of every enabled platform')
  .action(async () => finish(await doctor(out)));
program
  .command('status')
  .description('is a gateway running, which platforms are online, and (on PostgreSQL) every replica')
  .action(async () => finish(await status(out)));
program
  .command('migrate-state')
  .description('copy state.db into the PostgreSQL database of HERMES_DATABASE_URL (or state.url)')
  .option('--from <path>', "the state.db to copy (default: this HERMES_HOME's)")
  .action(async (o: { from?: string }) => finish(await migrateStateCommand(o, out)));

await program.parseAsync(process.argv);
