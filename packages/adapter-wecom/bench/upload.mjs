// A 20 MB file through the chunked upload pipeline (init → 40 chunks of 512 KB → finish → send) to the
// loopback fake: MB/s and peak memory, each in a fresh process, with a 2 MB file as the flatness check.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, probeMemory, startFakeProcess } from './support.mjs';

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-upload-bench-'));
  const fake = await startFakeProcess();
  try {
    const lines = [];
    for (const size of [2 * 1024 * 1024, 20 * 1024 * 1024]) {
      const path = join(dir, `file-${size}.bin`);
      writeFileSync(path, randomBytes(size));
      const report = await probeMemory('upload', {
        url: fake.url,
        botId: fake.botId,
        secret: fake.secret,
        path,
        kind: 'file',
      });
      const mbps = size / 2 ** 20 / report.value.sendSeconds;
      lines.push(
        `${fmt(size / 2 ** 20, 0)} MB file: ${fmt(mbps, 0)} MB/s; sending process holds at most +${fmt(report.peakLiveMb)} MB live (peak RSS +${fmt(report.peakRssMb)} MB incl. uncollected garbage)`,
      );
    }
    const uploads = await fake.call('uploads');
    lines.push(
      `fake saw ${uploads.length} uploads, chunks ${uploads.map((u) => u.chunks).join(' and ')}, all finished: ${uploads.every((u) => u.done)}`,
    );
    return { name: 'upload through the chunk pipeline', lines };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
