import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import type { GatewayHost } from '../host/gateway-host.js';

/**
 * What a person at a terminal needs after `hermes gateway`: where the config lives, whether a model is
 * set (and where to set it), each platform's state and address, and the next step.
 */
export function startBanner(o: { version: string; config: LoadedConfig; host: GatewayHost }): string[] {
  const { paths, model } = o.config;
  const file = (path: string) => (existsSync(path) ? path : `${path} (not created yet)`);
  const lines = [
    `Hermes Gateway ${o.version} is running (pid ${process.pid}). Stop it with Ctrl+C.`,
    `  home      ${paths.home}`,
    `  config    ${file(paths.config)}`,
    `  secrets   ${file(paths.env)}`,
    model.model
      ? `  model     ${model.model}${model.baseURL ? ` at ${model.baseURL}` : ''}`
      : `  model     not configured: put OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL in ${paths.env}, then restart`,
  ];
  const rt = o.host.runtime;
  let apiUrl: string | undefined;
  for (const p of rt.platformStatuses()) {
    const url = rt.adapterFor(p.platform)?.publicUrl?.();
    if (url && rt.profileOf(p.platform).kind === 'request-reply') apiUrl ??= url;
    lines.push(`  ${p.platform.padEnd(9)} ${p.status}${url ? `  ${url}` : ''}`);
  }
  lines.push(`  logs      ${paths.logFile}`);
  if (apiUrl)
    lines.push('', `Talk to it: open ${apiUrl} in a browser, or point any OpenAI client at ${apiUrl}v1`);
  lines.push('', `Next: \`hermes doctor\` checks the setup; \`hermes status\` shows the platforms.`);
  return lines;
}
