import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@hermes/adapter-core';
import OpusScript from 'opusscript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JS_ENCODER, wavToOggOpus } from '../src/voice/js-opus-encoder.js';
import { findFfmpeg } from '../src/voice/opus-convert.js';
import type { TtsSettings } from '../src/voice/voice-config.js';
import { speakReply } from '../src/voice/voice-reply.js';
import { parseWav } from './support/audio-check.js';
import { type FakeSpeechServer, startFakeSpeechServer } from './support/fake-speech-server.js';
import { readOggOpus } from './support/ogg-opus-check.js';

const espeak = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

/** A WAV written here, field by field, so the decoder is tested against more than one writer. */
function synthWav(o: { rate: number; channels: number; seconds: number; float?: boolean }): Buffer {
  const frames = Math.round(o.rate * o.seconds);
  const bytes = o.float ? 4 : 2;
  const data = Buffer.alloc(frames * o.channels * bytes);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < o.channels; c++) {
      const v = 0.5 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / o.rate);
      const at = (i * o.channels + c) * bytes;
      if (o.float) data.writeFloatLE(v, at);
      else data.writeInt16LE(Math.round(v * 32767), at);
    }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(o.float ? 3 : 1, 20);
  h.writeUInt16LE(o.channels, 22);
  h.writeUInt32LE(o.rate, 24);
  h.writeUInt32LE(o.rate * o.channels * bytes, 28);
  h.writeUInt16LE(o.channels * bytes, 32);
  h.writeUInt16LE(bytes * 8, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

function speakWav(path: string): Buffer {
  const r = spawnSync('espeak-ng', ['-w', path, 'your table for two is booked at eight'], {
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`espeak-ng failed: ${r.stderr?.toString()}`);
  return readFileSync(path);
}

/** Decodes every packet with libopus (the package's decoder) and returns the samples after the pre-skip. */
function decodeBack(packets: Buffer[], preSkip: number, finalGranule: number): Int16Array {
  const decoder = new OpusScript(48_000, 1);
  try {
    const pcm = Buffer.concat(packets.map((p) => decoder.decode(p)));
    const all = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    return all.slice(preSkip, finalGranule);
  } finally {
    decoder.delete();
  }
}

const rms = (s: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += (s[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, s.length));
};

describe('the pure-JS/WASM Ogg/Opus encoder (no ffmpeg)', () => {
  let dir: string;
  let speech: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-voice-js-'));
    speech = espeak ? speakWav(join(dir, 'speech.wav')) : synthWav({ rate: 22_050, channels: 1, seconds: 2 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`encodes real speech${espeak ? ' (espeak-ng)' : ' (a sine: espeak-ng missing)'} into valid Ogg/Opus whose length is the input's`, async () => {
    const wav = parseWav(speech);
    const inputSamples = wav.dataBytes / (wav.bitsPerSample / 8) / wav.channels;
    const r = await wavToOggOpus(speech);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ogg = readOggOpus(r.value);
    expect(ogg).toMatchObject({ channels: 1, inputSampleRate: wav.sampleRate, endsWithEos: true });
    expect(ogg.preSkip).toBeGreaterThan(0);
    // The final granule position is the pre-skip plus the duration at 48 kHz (within a sample of rounding).
    const expected = (inputSamples * 48_000) / wav.sampleRate;
    expect(Math.abs(ogg.finalGranule - ogg.preSkip - expected)).toBeLessThanOrEqual(1);
    // Decoded back, the packets hold at least that much audio, and it is speech, not silence.
    const back = decodeBack(ogg.audioPackets, ogg.preSkip, ogg.finalGranule);
    expect(back.length).toBe(ogg.finalGranule - ogg.preSkip);
    expect(rms(back)).toBeGreaterThan(300);
  });

  it.skipIf(!findFfmpeg())(
    `is read by ffmpeg as Opus with the same duration (an independent decoder)${findFfmpeg() ? '' : ' (skipped: ffmpeg not on PATH)'}`,
    async () => {
      const r = await wavToOggOpus(speech);
      if (!r.ok) throw r.error;
      const path = join(dir, 'js.ogg');
      writeFileSync(path, r.value);
      const probe = spawnSync(
        'ffmpeg',
        [
          '-hide_banner',
          '-nostdin',
          '-v',
          'error',
          '-i',
          path,
          '-f',
          's16le',
          '-ac',
          '1',
          '-ar',
          '48000',
          '-',
        ],
        { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      );
      expect(probe.stderr.toString()).toBe('');
      expect(probe.status).toBe(0);
      const wav = parseWav(speech);
      const expected = (wav.dataBytes / 2 / wav.channels / wav.sampleRate) * 48_000;
      expect(Math.abs(probe.stdout.length / 2 - expected)).toBeLessThan(48 * 5);
    },
  );

  it('takes stereo 16 kHz and float 24 kHz WAV, resampled to 48 kHz mono', async () => {
    for (const o of [
      { rate: 16_000, channels: 2, seconds: 1.5 },
      { rate: 24_000, channels: 1, seconds: 0.75, float: true },
    ]) {
      const r = await wavToOggOpus(synthWav(o));
      if (!r.ok) throw r.error;
      const ogg = readOggOpus(r.value);
      expect(ogg.channels).toBe(1);
      expect(ogg.inputSampleRate).toBe(o.rate);
      expect(ogg.finalGranule - ogg.preSkip).toBe(Math.round(o.seconds * 48_000));
      expect(rms(decodeBack(ogg.audioPackets, ogg.preSkip, ogg.finalGranule))).toBeGreaterThan(3000);
    }
  });

  it('refuses what is not a readable WAV with an error naming the problem', async () => {
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(200)]);
    const notWav = await wavToOggOpus(mp3);
    expect(notWav.ok).toBe(false);
    if (!notWav.ok) expect(notWav.error).toMatchObject({ code: 'bad_audio' });
    const alaw = synthWav({ rate: 8000, channels: 1, seconds: 0.1 });
    alaw.writeUInt16LE(6, 20);
    alaw.writeUInt16LE(8, 34);
    const unsupported = await wavToOggOpus(alaw);
    expect(unsupported).toMatchObject({ ok: false, error: { code: 'bad_audio' } });
    if (!unsupported.ok)
      expect(unsupported.error.message).toContain('format 6 with 8-bit samples is not supported');
  });
});

describe('spoken replies without ffmpeg, through a loopback speech endpoint', () => {
  let dir: string;
  let fake: FakeSpeechServer;
  const tts = (): TtsSettings => ({
    baseURL: fake.baseURL,
    model: 'tts-1',
    voice: 'alloy',
    source: 'own',
    configured: true,
    timeoutMs: 5_000,
  });
  const speak = (logger = createMemoryLogger(), ffmpeg: string | null = null) =>
    speakReply({ settings: tts(), text: 'Your table is **booked**.', dir: join(dir, 'out'), logger, ffmpeg });
  const wav = synthWav({ rate: 24_000, channels: 1, seconds: 1 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-voice-nofmpeg-'));
    fake = await startFakeSpeechServer();
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for Opus; Ogg/Opus from the endpoint is sent as is and logged as endpoint-opus', async () => {
    const ready = await wavToOggOpus(wav);
    if (!ready.ok) throw ready.error;
    fake.scriptTts({ kind: 'audio', data: ready.value, type: 'audio/ogg' });
    const before = fake.tts.length;
    const logger = createMemoryLogger();
    const r = await speak(logger);
    expect(r.kind === 'media' && r.converter).toBe('endpoint-opus');
    if (r.kind !== 'media') return;
    expect(readFileSync(r.media.path).equals(ready.value)).toBe(true);
    expect(r.media).toMatchObject({ kind: 'voice', mime: 'audio/ogg' });
    expect(fake.tts.slice(before).map((t) => t.responseFormat)).toEqual(['opus']);
    expect(logger.find('info', 'spoken reply ready')[0]?.fields).toMatchObject({
      converter: 'endpoint-opus',
    });
  });

  it('WAV from the endpoint is encoded in-process and logged with the encoder name', async () => {
    fake.scriptTts({ kind: 'audio', data: wav, type: 'audio/wav' });
    const logger = createMemoryLogger();
    const r = await speak(logger);
    expect(r.kind === 'media' && r.converter).toBe(JS_ENCODER);
    if (r.kind !== 'media') return;
    expect(r.media).toMatchObject({ kind: 'voice', mime: 'audio/ogg', name: 'reply.ogg' });
    const ogg = readOggOpus(readFileSync(r.media.path));
    expect(ogg.finalGranule - ogg.preSkip).toBe(48_000);
    expect(logger.find('info', 'spoken reply ready')[0]?.fields).toMatchObject({
      converter: 'opusscript',
      from: 'wav',
      reason: 'ffmpeg is not on PATH',
    });
  });

  it('a server that ignores "opus" with MP3 is asked once more, for WAV, and that is encoded', async () => {
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(500)]);
    fake.scriptTts(
      { kind: 'audio', data: mp3, type: 'audio/mpeg' },
      { kind: 'audio', data: wav, type: 'audio/wav' },
    );
    const before = fake.tts.length;
    const r = await speak();
    expect(r.kind === 'media' && r.converter).toBe(JS_ENCODER);
    expect(fake.tts.slice(before).map((t) => t.responseFormat)).toEqual(['opus', 'wav']);
  });

  it('audio nothing here can encode goes as returned, as an audio file, with a warning naming why', async () => {
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(500)]);
    fake.scriptTts(
      { kind: 'audio', data: mp3, type: 'audio/mpeg' },
      { kind: 'audio', data: mp3, type: 'audio/mpeg' },
    );
    const logger = createMemoryLogger();
    const r = await speak(logger);
    expect(r.kind === 'media' && r.converter).toBe('none');
    if (r.kind !== 'media') return;
    expect(r.media).toMatchObject({ kind: 'audio', mime: 'audio/mpeg' });
    expect(readFileSync(r.media.path).equals(mp3)).toBe(true);
    expect(logger.find('warn', 'sent no WAV when asked for one')[0]?.fields).toMatchObject({
      first: 'mp3',
      second: 'mp3',
    });
    expect(logger.find('warn', 'sending the audio as returned')).toHaveLength(1);
  });

  it('when ffmpeg is there but fails, WAV still becomes Ogg/Opus in-process', async () => {
    fake.scriptTts({ kind: 'audio', data: wav, type: 'audio/wav' });
    const logger = createMemoryLogger();
    const r = await speak(logger, '/bin/false');
    expect(r.kind === 'media' && r.converter).toBe(JS_ENCODER);
    expect(logger.find('warn', 'ffmpeg could not convert')).toHaveLength(1);
    expect(logger.find('info', 'spoken reply ready')[0]?.fields).toMatchObject({ reason: 'ffmpeg failed' });
  });
});
