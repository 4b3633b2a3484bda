import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REASON_FILE =
  process.env.HERMES_VOICE_TOOLS_REASON_FILE ??
  join(process.env.TMPDIR ?? tmpdir(), 'hermes-voice-tools.reason');

function onPath(tool: string): boolean {
  const flag = tool === 'ffmpeg' ? '-version' : '--version';
  return spawnSync(tool, [flag], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** Whether espeak-ng and ffmpeg are here, and if not why (the install script's reason when it left one). */
export function voiceTools(): { have: boolean; why: string } {
  const missing = ['espeak-ng', 'ffmpeg'].filter((t) => !onPath(t));
  if (missing.length === 0) return { have: true, why: '' };
  const reason = existsSync(REASON_FILE) ? readFileSync(REASON_FILE, 'utf8').trim() : '';
  return {
    have: false,
    why: `${missing.join(' and ')} not on PATH${reason ? `: ${reason}` : ': run tooling/ci/install-voice-tools.sh'}`,
  };
}

/** Real speech: espeak-ng's WAV of `text`. */
export function speak(text: string, path: string): Buffer {
  const r = spawnSync('espeak-ng', ['-w', path, text], { timeout: 20_000 });
  if (r.status !== 0) throw new Error(`espeak-ng failed: ${r.stderr?.toString()}`);
  return readFileSync(path);
}

/** A Telegram-style voice note: the WAV as mono Ogg/Opus. */
export function toVoiceNote(wav: string, ogg: string): Buffer {
  const r = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      wav,
      '-ac',
      '1',
      '-c:a',
      'libopus',
      '-f',
      'ogg',
      ogg,
    ],
    {
      timeout: 30_000,
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr?.toString()}`);
  return readFileSync(ogg);
}
