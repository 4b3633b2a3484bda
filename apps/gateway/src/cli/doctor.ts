import { nothingAllowed } from '../access/authorize.js';
import { createAdapters, resolvePlatforms } from '../catalog/platforms.js';
import { loadConfigOrExplain } from './load-or-exit.js';

/**
 * `hermes doctor`: the same checks startup does, plus each enabled adapter's probe(). Prints what is
 * wrong and how to fix it; exits non-zero when anything is wrong.
 */
export async function doctor(out: (l: string) => void): Promise<number> {
  let problems = 0;
  const config = loadConfigOrExplain(out);
  if (!config) return 1;
  out(`HERMES_HOME: ${config.paths.home}`);
  out(`Config files: ${config.sources.length ? config.sources.join(', ') : 'none (embedded defaults)'}`);
  out(
    config.model.model
      ? `Model: ${config.model.model}${config.model.baseURL ? ` at ${config.model.baseURL}` : ''}`
      : 'Model: not configured — replies will say so. Set OPENAI_BASE_URL, OPENAI_API_KEY and HERMES_MODEL (or model: in config.yaml).',
  );
  const { platforms, problems: catalogProblems } = await resolvePlatforms(config.env, config.file);
  for (const p of catalogProblems) {
    problems++;
    out(`✗ ${p.platform}: ${p.message}`);
  }
  const adapters = createAdapters(platforms);
  for (const adapter of adapters) {
    if (!adapter.probe) {
      out(`• ${adapter.platform}: enabled (no credential check available)`);
      continue;
    }
    const result = await adapter
      .probe()
      .catch((err: unknown) => ({ ok: false as const, error: err as Error, fix: undefined }));
    if (result.ok)
      out(`✓ ${adapter.platform}: ${result.identity ?? 'ok'}${result.detail ? ` — ${result.detail}` : ''}`);
    else {
      problems++;
      const message =
        'describe' in result.error && typeof result.error.describe === 'function'
          ? result.error.describe()
          : result.error.message;
      out(`✗ ${adapter.platform}: ${message}${result.fix ? `\n    fix: ${result.fix}` : ''}`);
    }
  }
  if (
    nothingAllowed(
      config.env,
      adapters.map((a) => a.platform),
    )
  ) {
    out(
      '! No allowlist is set: every user will be asked to pair. Set GATEWAY_ALLOWED_USERS or <PLATFORM>_ALLOWED_USERS to allow people directly.',
    );
  }
  out(problems ? `${problems} problem(s) found.` : 'No problems found.');
  return problems ? 1 : 0;
}
