import type { EnvLike, PlatformDescriptor, PlatformScanToCreate } from '@hermes/adapter-core';
import { encodeQr } from './qr/qr-code.js';
import { renderQrForTerminal } from './qr/render-terminal.js';

type Out = (line: string) => void;

export type ScanOutcome = { ok: true; values: Record<string, string> } | { ok: false; reason: string };

/**
 * Shows the platform's scan-to-create QR code and waits (bounded by the flow's timeout) for the app to
 * report the new bot. Never throws: a failure comes back with its reason and fix, and the wizard then
 * asks for the credentials by hand. The secret it receives is never printed.
 */
export async function scanToCreateStep(
  d: PlatformDescriptor<unknown>,
  scan: PlatformScanToCreate,
  env: EnvLike,
  out: Out,
): Promise<ScanOutcome> {
  const stop = new AbortController();
  try {
    const session = await scan.start(env, stop.signal);
    const encoded = encodeQr(session.link);
    out(`Scan this code with the ${d.label} app, then confirm creating the bot:`);
    if (encoded.ok) for (const line of renderQrForTerminal(encoded.qr)) out(line);
    else out(`(the link is too long to draw as a QR code here: ${encoded.message})`);
    out(`Or open this link on the phone: ${session.link}`);
    out(`Waiting for the scan (up to ${Math.round(scan.timeoutMs / 1000)} s)…`);
    const values = await session.credentials();
    const shown = Object.entries(values)
      .map(([name, value]) => (d.secretEnv.includes(name) ? `${name} (received)` : `${name}=${value}`))
      .join(', ');
    out(`✓ Bot created: ${shown}`);
    return { ok: true, values };
  } catch (error) {
    const e = error as { message?: string; fix?: string };
    const reason = `${e.message ?? String(error)}${e.fix ? `\n  fix: ${e.fix}` : ''}`;
    return { ok: false, reason };
  } finally {
    stop.abort();
  }
}
