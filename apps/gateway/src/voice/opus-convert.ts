import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VoiceError, type VoiceResult } from './voice-errors.js';

const CONVERT_TIMEOUT_MS = 60_000;

/** The ffmpeg on PATH, if any (looked up per call: an operator may install it while the gateway runs). */
export function findFfmpeg(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Any audio ffmpeg reads → mono 48 kHz Ogg/Opus, the format chat apps play as a voice bubble. Bounded:
 * a stuck ffmpeg is killed after a minute.
 */
export function convertToOggOpus(
  ffmpeg: string,
  input: string,
  output: string,
): Promise<VoiceResult<string>> {
  return new Promise((resolve) => {
    const child = spawn(
      ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-y',
        '-i',
        input,
        '-vn',
        '-ac',
        '1',
        '-ar',
        '48000',
        '-c:a',
        'libopus',
        '-b:a',
        '32k',
        '-application',
        'voip',
        '-f',
        'ogg',
        output,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CONVERT_TIMEOUT_MS);
    const fail = (why: string) =>
      resolve({
        ok: false,
        error: new VoiceError('convert_failed', `ffmpeg could not convert the audio (${why})`),
      });
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, value: output });
      else fail(signal ? `killed by ${signal}` : stderr.trim().split('\n').at(-1) || `exit code ${code}`);
    });
  });
}
