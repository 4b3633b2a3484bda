import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, HomeError } from './errors.js';
import { loadConfig } from './load.js';

const homes: string[] = [];
function home(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-config-'));
  homes.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function errorsOf(fn: () => unknown): ConfigError[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AggregateError) return err.errors as ConfigError[];
    if (err instanceof ConfigError) return [err];
    throw err;
  }
  throw new Error('expected a config error');
}

describe('loadConfig', () => {
  it('works with no files at all and applies the defaults', () => {
    const dir = home();
    const config = loadConfig({ HERMES_HOME: dir });
    expect(config.paths.stateDb).toBe(join(dir, 'state.db'));
    expect(config.file.group_sessions_per_user).toBe(true);
    expect(config.file.display.tool_progress).toBe('all');
    expect(config.model).toEqual({});
    expect(config.sources).toEqual([]);
  });

  it('lets process env win over .env, and reads the model from either place', () => {
    const dir = home({
      '.env': 'OPENAI_API_KEY=from-dotenv\nHERMES_MODEL=dotenv-model\nTELEGRAM_BOT_TOKEN=abc\n',
      'config.yaml': 'model:\n  name: file-model\n  base_url: http://127.0.0.1:9/v1\n',
    });
    const config = loadConfig({ HERMES_HOME: dir, HERMES_MODEL: 'env-model' });
    expect(config.model).toEqual({
      baseURL: 'http://127.0.0.1:9/v1',
      apiKey: 'from-dotenv',
      model: 'env-model',
    });
    expect(config.env.TELEGRAM_BOT_TOKEN).toBe('abc');
    expect(config.sources).toHaveLength(2);
  });

  it('names an unknown key, the file, and suggests the right spelling', () => {
    const dir = home({ 'config.yaml': 'platfroms:\n  telegram: {}\ndisplay:\n  tool_progres: new\n' });
    const errors = errorsOf(() => loadConfig({ HERMES_HOME: dir }));
    const messages = errors.map((e) => e.message);
    expect(messages).toContainEqual(
      expect.stringContaining('platfroms: unknown key (did you mean "platforms"?)'),
    );
    expect(messages).toContainEqual(
      expect.stringContaining('display.tool_progres: unknown key (did you mean "tool_progress"?)'),
    );
    expect(errors.every((e) => e.file === join(dir, 'config.yaml'))).toBe(true);
  });

  it('reports a mistyped value with its key', () => {
    const dir = home({
      'config.yaml': 'group_sessions_per_user: "yes please"\nsession_reset:\n  mode: weekly\n',
    });
    const keys = errorsOf(() => loadConfig({ HERMES_HOME: dir })).map((e) => e.key);
    expect(keys).toEqual(expect.arrayContaining(['group_sessions_per_user', 'session_reset.mode']));
  });

  it('reports broken YAML with a line number', () => {
    const dir = home({ 'config.yaml': 'platforms:\n  telegram: [\n' });
    const [error] = errorsOf(() => loadConfig({ HERMES_HOME: dir }));
    expect(error?.message).toMatch(/config\.yaml: is not valid YAML at line \d+/);
  });

  it('refuses a .env with bad lines, listing each by line, together with config.yaml problems', () => {
    const dir = home({
      '.env': 'OK=1\nJUSTWORDS\nBIN=\u0000\u0001\nKEY="open\n',
      'config.yaml': 'platfroms: {}\n',
    });
    const errors = errorsOf(() => loadConfig({ HERMES_HOME: dir }));
    const envPath = join(dir, '.env');
    expect(errors.filter((e) => e.file === envPath).map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringContaining(`${envPath} line 2: is not`));
    expect(errors.some((e) => e.file === join(dir, 'config.yaml'))).toBe(true);
  });

  it('ignores a byte-order mark at the start of .env instead of gluing it to the first name', () => {
    const dir = home({ '.env': '\uFEFFTELEGRAM_BOT_TOKEN=abc\n' });
    expect(loadConfig({ HERMES_HOME: dir }).env.TELEGRAM_BOT_TOKEN).toBe('abc');
  });

  it('says HERMES_HOME is a file, not a directory', () => {
    const file = join(home(), 'not-a-dir');
    writeFileSync(file, 'x');
    let error: unknown;
    try {
      loadConfig({ HERMES_HOME: file });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HomeError);
    expect((error as HomeError).message).toBe(
      `HERMES_HOME=${file} is a file, not a directory: point it at a directory (or unset HERMES_HOME to use ~/.hermes)`,
    );
    expect(() => loadConfig({ HERMES_HOME: join(file, 'below') })).toThrow(
      /is below a file, not a directory/,
    );
  });
});
