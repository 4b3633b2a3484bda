import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

// The testkit's readmeExample/runReadmeExample cannot be used here: the testkit depends on this package.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** The first ```ts block under the README's example heading, exactly as a reader copies it. */
function readmeFragment(): string {
  const lines = readFileSync(join(packageDir, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('## Example'));
  const open = lines.findIndex((l, i) => i > start && l === '```ts');
  const close = lines.findIndex((l, i) => i > open && l.startsWith('```'));
  if (start < 0 || open < 0 || close < 0) throw new Error('README.md: no ```ts block under "## Example"');
  return lines.slice(open + 1, close).join('\n');
}

// Loopback stand-ins for what the README says is the reader's: a "platform" that answers pings over TCP,
// a file server, a chat to post to. Imports are hoisted, so the README's own import block may follow.
const standIns = `
import { once } from 'node:events';
import { readFileSync as readStandInFile } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect as connectTcp, createServer as createTcpServer } from 'node:net';
import { createConsoleLogger, MediaCache } from '@hermes/adapter-core';

const logger = createConsoleLogger({ level: 'warn' });
const ctx = {
  logger,
  signal: new AbortController().signal,
  status: (status) => console.log('status:', status),
  mediaCache: new MediaCache({ dir: process.env.MEDIA_DIR, logger }),
};
const platform = createTcpServer((s) => s.on('data', () => s.write('pong\\n')));
platform.listen(0, '127.0.0.1');
await once(platform, 'listening');
let socket;
const openSocket = async () => {
  socket = connectTcp(platform.address().port, '127.0.0.1');
  await once(socket, 'connect');
  return { closed: once(socket, 'close').then(() => ({ reason: 'socket closed' })), close: () => socket.destroy() };
};
const ping = async () => {
  socket.write('ping\\n');
  await once(socket, 'data');
};
const frames = [{ id: 'f1' }, { id: 'f2' }, { id: 'f1' }];
const markdown = '**Hermes** splits long answers. ' + 'One more sentence of the answer. '.repeat(6);
const capabilities = { maxMessageLength: 100, lengthUnit: 'char', markdown: 'telegram-html' };
const chatId = 'chat-1';
const posted = [];
const post = async (text) => void posted.push(text);
const files = createHttpServer((req, res) => res.end(process.env.FILE_TEXT));
files.listen(0, '127.0.0.1');
await once(files, 'listening');
const url = 'http://127.0.0.1:' + files.address().port + '/report.txt';
`;

const report = `
const saved = readStandInFile(file.path, 'utf8');
console.log('RESULT ' + JSON.stringify({ fresh: fresh.map((f) => f.id), posted, saved, bytes: file.bytes }));
await supervisor.stop();
pacer.close();
platform.close();
files.close();
`;

it('the README fragment runs verbatim with loopback stand-ins: online, dedupe, split + render + pace, safe download', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-core-readme-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(packageDir, `.readme-example-${randomBytes(4).toString('hex')}.mts`);
  cleanups.push(() => rmSync(file, { force: true }));
  writeFileSync(file, `${standIns}\n${readmeFragment()}\n${report}`);
  const fileText = `report ${randomBytes(6).toString('hex')}`;

  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [file],
      {
        cwd: packageDir,
        timeout: 20_000,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '',
          MEDIA_DIR: join(dir, 'media'),
          FILE_TEXT: fileText,
          // The stand-in file server is on 127.0.0.1, which downloads refuse unless allowed.
          HERMES_MEDIA_ALLOW_PRIVATE: 'true',
        },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`the README fragment failed: ${error.message}\n${stdout}${stderr}`))
          : resolve(stdout),
    );
  });

  expect(output).toContain('status: online');
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, output).toBeDefined();
  const result = JSON.parse(line?.slice('RESULT '.length) ?? '{}') as {
    fresh: string[];
    posted: string[];
    saved: string;
    bytes: number;
  };
  expect(result.fresh).toEqual(['f1', 'f2']);
  expect(result.posted.length).toBeGreaterThan(1);
  for (const chunk of result.posted) expect(chunk.length).toBeLessThanOrEqual(100);
  expect(result.posted[0]).toMatch(/^<b>Hermes<\/b> splits long answers\./);
  expect(result.posted.join(' ').replace(/\s+/g, ' ')).toContain('One more sentence of the answer.');
  expect(result.saved).toBe(fileText);
  expect(result.bytes).toBe(Buffer.byteLength(fileText));
});
