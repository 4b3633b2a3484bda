import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The first ```ts block under the first `##` heading that matches `heading` in a README: the example a
 * reader copies. Throws naming the README when there is none, so a renamed heading fails loudly.
 */
export function readmeExample(readmePath: string, heading: RegExp = /example|bot/i): string {
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('## ') && heading.test(l));
  if (start < 0) throw new Error(`${readmePath}: no "## " heading matches ${heading}`);
  const open = lines.findIndex((l, i) => i > start && /^```(ts|typescript)\s*$/.test(l));
  const close = lines.findIndex((l, i) => i > open && l.startsWith('```'));
  if (open < 0 || close < 0) throw new Error(`${readmePath}: no \`\`\`ts block under "${lines[start]}"`);
  return lines.slice(open + 1, close).join('\n');
}

export interface RunningExample {
  output(): string;
  /** Resolves with the output so far once `pattern` appears in it; rejects after `timeoutMs` or on exit. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after 3 s; removes the example file. */
  stop(): Promise<void>;
}

/**
 * Runs README code as the reader would: as a TypeScript module (Node's type stripping) inside the
 * package folder, so `import … from '@hermes/adapter-x'` resolves to the package's own built `dist`
 * through its `exports`, exactly as after `npm install`.
 */
export function runReadmeExample(o: {
  packageDir: string;
  code: string;
  env: Record<string, string>;
}): RunningExample {
  const file = join(o.packageDir, `.readme-example-${randomBytes(4).toString('hex')}.mts`);
  writeFileSync(file, o.code);
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: o.packageDir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => out,
    async waitForOutput(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null)
          throw new Error(`the README example exited (${child.exitCode}):\n${out}`);
        if (Date.now() > deadline) throw new Error(`the README example never printed ${pattern}:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return out;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(file, { force: true });
    },
  };
}
