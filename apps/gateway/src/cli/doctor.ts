import { readFileSync } from 'node:fs';
import { isAdapterError } from '@hermes/adapter-core';
import { probeModel } from '@hermes/agent';
import { describeLooseMode, looseFileModes } from '../config/file-modes.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { hermesPaths, homeProblem } from '../config/paths.js';
import { nothingAllowed } from '../inbound/authorize.js';
import { createAdapters, resolvePlatforms } from '../platforms/catalog.js';
import { profileFromDescriptor } from '../platforms/platform-profile.js';
import { isProcessAlive } from '../platforms/status-file.js';
import { checkStateDb } from '../state/db.js';

/**
 * `hermes doctor`: the same checks startup does (HERMES_HOME, `.env` lines, config.yaml, state.db), the
 * permissions of the files that hold secrets and transcripts, plus each enabled adapter's probe(). Prints
 * what is wrong and how to fix it; exits non-zero when anything is wrong. It creates and changes nothing.
 */
export async function doctor(out: (l: string) => void): Promise<number> {
  let problems = 0;
  const problem = (line: string) => {
    problems++;
    out(`✗ ${line}`);
  };
  const finish = () => {
    out(problems ? `${problems} problem(s) found.` : 'No problems found.');
    return problems ? 1 : 0;
  };
  const paths = hermesPaths(process.env);
  out(`HERMES_HOME: ${paths.home}`);
  let config: LoadedConfig | undefined;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    for (const e of err instanceof AggregateError ? err.errors : [err]) problem((e as Error).message);
  }
  // Files are checked even when the config is wrong, so one run lists everything to fix.
  if (!homeProblem(paths.home)) {
    const db = checkStateDb(paths.stateDb);
    if (db.ok) out(`• state.db: ${db.detail}`);
    else problem(db.error.message);
    for (const loose of looseFileModes(paths)) problem(describeLooseMode(loose));
  }
  if (!config) return finish();
  out(`Config files: ${config.sources.length ? config.sources.join(', ') : 'none (embedded defaults)'}`);
  const { model } = config;
  if (!model.model)
    problem(
      `Model: not configured, so every reply says so. Put OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL in ${paths.env} (or model: in ${paths.config}).`,
    );
  else {
    const checked = await probeModel({ ...model, model: model.model });
    if (checked.ok) out(`✓ Model: ${model.model} (${checked.detail})`);
    else problem(`Model: ${checked.message}`);
  }
  const running = runningGateway(paths.pidFile);
  if (running) out(`• a gateway is running (pid ${running}): the ports it listens on are in use by it`);
  const { platforms, problems: catalogProblems } = await resolvePlatforms(config.env, config.file);
  for (const p of catalogProblems) problem(`${p.platform}: ${p.message}`);
  if (platforms.length === 0 && catalogProblems.length === 0)
    problem(
      'no platform is enabled, so the gateway would not start: set the credentials of one (e.g. TELEGRAM_BOT_TOKEN) or API_SERVER_ENABLED=true',
    );
  const adapters = createAdapters(platforms);
  for (const adapter of adapters) {
    if (!adapter.probe) {
      out(`• ${adapter.platform}: enabled (no credential check available)`);
      continue;
    }
    const result = await adapter
      .probe()
      .catch((err: unknown) => ({ ok: false as const, error: err as Error, fix: undefined }));
    if (!result.ok && running && isAdapterError(result.error) && result.error.code === 'address_in_use') {
      out(`✓ ${adapter.platform}: listening in the running gateway (pid ${running})`);
      continue;
    }
    if (result.ok)
      out(`✓ ${adapter.platform}: ${result.identity ?? 'ok'}${result.detail ? ` — ${result.detail}` : ''}`);
    else {
      const message =
        'describe' in result.error && typeof result.error.describe === 'function'
          ? result.error.describe()
          : result.error.message;
      // describe() already carries the error's own fix; print a separate one only when it adds something.
      const fix = result.fix && !message.includes(result.fix) ? `\n    fix: ${result.fix}` : '';
      problem(`${adapter.platform}: ${message}${fix}`);
    }
  }
  if (
    nothingAllowed(
      config.env,
      platforms.map((p) => profileFromDescriptor(p.descriptor)),
    )
  ) {
    out(
      '! No allowlist is set: every user will be asked to pair. Set GATEWAY_ALLOWED_USERS or <PLATFORM>_ALLOWED_USERS to allow people directly.',
    );
  }
  return finish();
}

/** The pid of the gateway running for this HERMES_HOME, if one is. */
function runningGateway(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
