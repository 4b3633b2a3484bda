import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestContext } from '../test-context.js';
import { forkBenchProcess } from './bench-process.js';
import { runBenchmarks } from './run-benchmarks.js';

describe('runBenchmarks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('runs only the named benchmarks, reports an unknown name with the valid ones and still runs the rest', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const loaded: string[] = [];
    const bench = (name: string) => async () => {
      loaded.push(name);
      return { run: async () => ({ name: `${name} result`, lines: [`${name} line`] }) };
    };
    await runBenchmarks({ one: bench('one'), two: bench('two') }, ['nope', 'two']);
    expect(loaded).toEqual(['two']);
    expect(error).toHaveBeenCalledWith('unknown benchmark nope; choose from one, two');
    expect(process.exitCode).toBe(1);
    expect(log.mock.calls.map((c) => c[0])).toEqual(['\n== two result', '   two line']);
  });

  it('runs every benchmark when none is named', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const loaded: string[] = [];
    const bench = (name: string) => async () => {
      loaded.push(name);
      return { run: async () => ({ name, lines: [] }) };
    };
    await runBenchmarks({ a: bench('a'), b: bench('b') }, []);
    expect(loaded).toEqual(['a', 'b']);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('forkBenchProcess', () => {
  it('hands back the ready message, then each reply by id, and turns an error reply into a rejection', async () => {
    const t = createTestContext();
    try {
      const script = `${t.ctx.mediaCache.dir}/echo-process.mjs`;
      writeFileSync(
        script,
        [
          "process.send({ url: 'http://127.0.0.1:1' });",
          'process.on("message", (msg) => {',
          '  if (msg.type === "close") { process.send({ id: msg.id, result: null }); process.disconnect(); return; }',
          '  if (msg.type === "fail") process.send({ id: msg.id, error: "it failed" });',
          '  else process.send({ id: msg.id, result: { echoed: msg.value } });',
          '});',
        ].join('\n'),
      );
      const fake = forkBenchProcess<{ url: string }>(script);
      expect(await fake.ready).toEqual({ url: 'http://127.0.0.1:1' });
      const [a, b] = await Promise.all([fake.call('echo', { value: 1 }), fake.call('echo', { value: 2 })]);
      expect([a, b]).toEqual([{ echoed: 1 }, { echoed: 2 }]);
      await expect(fake.call('fail')).rejects.toThrow('it failed');
      await fake.call('close');
      await new Promise((resolve) => fake.child.once('exit', resolve));
    } finally {
      await t.cleanup();
    }
  });
});
