import type { Logger } from '@hermes/adapter-core';
import type { LoadedConfig } from '../../config/load.js';
import type { HostRuntime } from '../../host/runtime.js';
import type { CommandSpec } from '../registry.js';
import { createUpdateCommand } from '../update-command.js';
import { gatewayPackage, PACKAGE_NAME } from './gateway-package.js';
import { detectInstallKind, type InstallKind } from './install-kind.js';
import { latestPublished } from './npm-cli.js';
import { updateChatIO } from './update-chat-io.js';
import { updateFiles } from './update-files.js';
import { launchUpdate } from './update-launcher.js';
import { UpdateWatcher } from './update-watcher.js';

/** How long the registry may take to answer `npm view`. */
const LOOKUP_TIMEOUT_MS = 10_000;

/** `/update` and its watcher, wired to the host: the command to register, the watcher to start and stop. */
export function createUpdateFeature(
  rt: Pick<HostRuntime, 'adapterFor' | 'deliverer' | 'outbox' | 'logger' | 'profileOf' | 'requestRestart'>,
  config: LoadedConfig,
  logger: Logger,
): { command: CommandSpec; watcher: UpdateWatcher } {
  const files = updateFiles(config.paths.home);
  const io = updateChatIO(rt);
  const watcher = new UpdateWatcher({
    files,
    deliver: (chat, text) => io.deliver(chat, text),
    // The same rule run-gateway uses to install its restart listener: under a service manager.
    canRestart: () => Boolean(config.env.HERMES_SERVICE || config.env.INVOCATION_ID),
    requestRestart: (chat) => rt.requestRestart(chat),
    logger,
  });
  const pkg = gatewayPackage();
  let install: Promise<InstallKind> | undefined;
  const command = createUpdateCommand({
    files,
    pkg,
    install: () => {
      install ??= pkg ? detectInstallKind(pkg.root) : Promise.resolve({ kind: 'unknown', root: '?' });
      return install;
    },
    latest: () => latestPublished(PACKAGE_NAME, LOOKUP_TIMEOUT_MS),
    allowed: (platform) =>
      config.file.platforms[platform]?.allow_update_command ?? rt.profileOf(platform).kind === 'chat',
    isAdmin: (platform, userId) => config.file.gateway.allow_admin_from.includes(`${platform}:${userId}`),
    launch: (spec) => launchUpdate({ files, spec }),
    watch: () => watcher.start(),
    io,
    logger,
  });
  return { command, watcher };
}
