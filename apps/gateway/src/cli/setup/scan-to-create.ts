import type { EnvLike } from '@hermes/adapter-core';

/**
 * Platforms whose app can create the bot from a scanned QR code, with the variables the result fills.
 * This is the one place in the host that knows a platform has such a flow; it belongs on the platform's
 * descriptor (a `scanToCreate` member in adapter-core's contract) once core grows one, and then this
 * table goes away.
 */
export interface ScanToCreate {
  /** The menu line that offers it. */
  label: string;
  /** How long the wizard waits for the scan. */
  timeoutMs: number;
  start(env: EnvLike, signal: AbortSignal): Promise<ScanSession>;
}

export interface ScanSession {
  /** What the QR code encodes; also printed for a phone that cannot read the terminal. */
  link: string;
  /** Resolves with the env values of the created bot; rejects with an AdapterError (code, fix) otherwise. */
  credentials(): Promise<Record<string, string>>;
}

const FIVE_MINUTES = 300_000;

const SCAN_TO_CREATE: Readonly<Record<string, ScanToCreate>> = {
  wecom: {
    label: 'Scan a QR code with the WeCom app (it creates the bot for you)',
    timeoutMs: FIVE_MINUTES,
    async start(env, signal) {
      const { startWecomQrSetup } = await import('@hermes/adapter-wecom');
      const baseUrl = env['WECOM_QR_BASE_URL']?.trim();
      const session = await startWecomQrSetup({
        ...(baseUrl ? { baseUrl } : {}),
        signal,
        timeoutMs: FIVE_MINUTES,
      });
      return {
        link: session.qrUrl,
        async credentials() {
          const { botId, secret } = await session.waitForCredentials();
          return { WECOM_BOT_ID: botId, WECOM_SECRET: secret };
        },
      };
    },
  },
};

export function scanToCreateFor(platform: string): ScanToCreate | undefined {
  return Object.hasOwn(SCAN_TO_CREATE, platform) ? SCAN_TO_CREATE[platform] : undefined;
}
