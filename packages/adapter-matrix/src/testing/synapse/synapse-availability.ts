import { accessSync, constants, readFileSync } from 'node:fs';

/** Where tooling/ci/install-synapse.sh puts the sid chroot and its status line. */
export const SYNAPSE_ROOT = process.env['HERMES_SYNAPSE_ROOT'] ?? '/opt/hermes-synapse-root';
const STATUS_FILE = process.env['HERMES_SYNAPSE_STATUS'] ?? `${SYNAPSE_ROOT}.status`;

/** Whether a real Synapse can be started here, and if not, why (shown in the skipped suite's name). */
export function synapseAvailability(): { ok: true } | { ok: false; reason: string } {
  const status = (() => {
    try {
      return readFileSync(STATUS_FILE, 'utf8').trim();
    } catch {
      return undefined;
    }
  })();
  if (status?.startsWith('unavailable:')) return { ok: false, reason: status };
  try {
    accessSync(`${SYNAPSE_ROOT}/usr/bin/synapse_homeserver`, constants.X_OK);
  } catch {
    return {
      ok: false,
      reason: `Synapse is not installed in ${SYNAPSE_ROOT} (run tooling/ci/install-synapse.sh as root)`,
    };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'starting Synapse from its chroot needs root' };
  return { ok: true };
}
