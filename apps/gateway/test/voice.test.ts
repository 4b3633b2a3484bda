import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Attachment, createMemoryLogger, type InboundMessage } from '@hermes/adapter-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTurnInput } from '../src/turn/compose-turn.js';
import { findFfmpeg } from '../src/voice/opus-convert.js';
import { speakableText } from '../src/voice/speakable-text.js';
import { transcribeFile } from '../src/voice/transcribe.js';
import { type SttSettings, type TtsSettings, voiceSettings } from '../src/voice/voice-config.js';
import { shouldSpeak } from '../src/voice/voice-mode.js';
import { speakReply } from '../src/voice/voice-reply.js';
import { parseOggOpus, parseWav } from './support/audio-check.js';
import { type FakeSpeechServer, startFakeSpeechServer } from './support/fake-speech-server.js';
import { speak, voiceTools } from './support/voice-tools.js';

const tools = voiceTools();

describe('voice settings', () => {
  it('default to the model endpoint, with whisper-1, tts-1 and alloy', () => {
    const s = voiceSettings({}, { baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-model' });
    expect(s.stt).toMatchObject({
      baseURL: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-model',
      model: 'whisper-1',
      source: 'model',
      configured: true,
    });
    expect(s.tts).toMatchObject({ model: 'tts-1', voice: 'alloy', source: 'model', apiKey: 'sk-model' });
  });

  it('never send the model key to a separate speech server', () => {
    const s = voiceSettings(
      {
        HERMES_STT_BASE_URL: 'http://127.0.0.1:8/v1',
        HERMES_TTS_BASE_URL: 'http://127.0.0.1:7/v1',
        HERMES_TTS_API_KEY: 'sk-tts',
      },
      { baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-model' },
    );
    expect(s.stt.apiKey).toBeUndefined();
    expect(s.stt).toMatchObject({ baseURL: 'http://127.0.0.1:8/v1', source: 'own', configured: true });
    expect(s.tts.apiKey).toBe('sk-tts');
  });

  it('are not configured without any endpoint or key', () => {
    const s = voiceSettings({}, {});
    expect(s.stt.configured).toBe(false);
    expect(s.tts.configured).toBe(false);
  });

  it('speak per mode: tts always, on only after a voice message, off never', () => {
    expect([
      shouldSpeak('tts', false),
      shouldSpeak('on', true),
      shouldSpeak('on', false),
      shouldSpeak('off', true),
    ]).toEqual([true, true, false, false]);
  });

  it('read aloud the words, not the code or the markup', () => {
    const said = speakableText(
      '## Done\nRun **this**:\n```sh\nrm -rf /tmp/x\n```\nSee [the docs](https://example.org).',
    );
    expect(said).not.toContain('rm -rf');
    expect(said).not.toContain('**');
    expect(said).toContain('the docs');
    expect(
      speakableText('```\nonly code\n```')
        .replace(/\(code in the text message\)/, '')
        .trim(),
    ).toBe('');
  });
});

describe.skipIf(!tools.have)(
  `speech through real audio files and a loopback endpoint${tools.have ? '' : ` (skipped: ${tools.why})`}`,
  () => {
    let dir: string;
    let fake: FakeSpeechServer;
    let wavPath: string;
    let wav: Buffer;
    const stt = (over: Partial<SttSettings> = {}): SttSettings => ({
      baseURL: fake.baseURL,
      apiKey: 'sk-stt-test',
      model: 'whisper-1',
      source: 'own',
      configured: true,
      timeoutMs: 5_000,
      maxBytes: 25 * 1024 * 1024,
      ...over,
    });
    const tts = (): TtsSettings => ({
      baseURL: fake.baseURL,
      model: 'tts-1',
      voice: 'alloy',
      source: 'own',
      configured: true,
      timeoutMs: 5_000,
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hermes-voice-'));
      fake = await startFakeSpeechServer();
      wavPath = join(dir, 'hello.wav');
      wav = speak('please book a table for two', wavPath);
    });
    afterAll(async () => {
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('uploads the WAV espeak-ng made and returns the transcript', async () => {
      expect(parseWav(wav).dataBytes).toBeGreaterThan(1000);
      fake.scriptStt({ kind: 'text', text: 'please book a table for two' });
      const r = await transcribeFile(stt(), wavPath, { name: 'hello.wav', mime: 'audio/wav' });
      expect(r).toEqual({ ok: true, value: 'please book a table for two' });
      const seen = fake.stt.at(-1)!;
      expect(seen).toMatchObject({
        model: 'whisper-1',
        filename: 'hello.wav',
        authorization: 'Bearer sk-stt-test',
      });
      expect(seen.audio.format).toBe('wav');
    });

    it('names the status and the key to check when the endpoint refuses', async () => {
      fake.scriptStt({ kind: 'error', status: 401, message: 'Incorrect API key provided.' });
      const r = await transcribeFile(stt(), wavPath);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('rejected');
      expect(r.error.message).toContain('401');
      expect(r.error.message).toContain('HERMES_STT_API_KEY');
      expect(r.error.message).not.toContain('sk-stt-test');
    });

    it('gives up on a silent endpoint within its timeout', async () => {
      fake.scriptStt({ kind: 'hang' }, { kind: 'hang' });
      const r = await transcribeFile(stt({ timeoutMs: 300 }), wavPath);
      expect(r.ok ? 'ok' : r.error.code).toBe('timeout');
    });

    it('refuses a file over the size cap without uploading it', async () => {
      const before = fake.stt.length;
      const r = await transcribeFile(stt({ maxBytes: 1000 }), wavPath);
      expect(r.ok ? 'ok' : r.error.code).toBe('too_large');
      expect(fake.stt.length).toBe(before);
    });

    it('is refused by the fake for a file that is not audio (the fake really checks)', async () => {
      const junk = join(dir, 'junk.ogg');
      writeFileSync(junk, 'this is not audio at all, just text bytes');
      const r = await transcribeFile(stt(), junk);
      expect(r.ok ? 'ok' : r.error.message).toContain('400');
      expect(fake.stt.at(-1)!.audio.format).toBe('invalid');
    });

    it('puts the transcript, marked, into the user text; a failure becomes one line for the user', async () => {
      const logger = createMemoryLogger();
      const voice = (path: string): Attachment => ({
        kind: 'voice',
        mime: 'audio/wav',
        fetch: async () => path,
      });
      const msg = (attachments: Attachment[], text = ''): InboundMessage => ({
        id: '1',
        chat: { platform: 'memory', chatId: 'c', chatType: 'dm' },
        sender: { id: 'u', name: 'Ann' },
        text,
        mentionsBot: false,
        attachments,
        receivedAt: new Date(),
        raw: {},
      });
      const transcribe = (path: string) => transcribeFile(stt(), path);
      fake.scriptStt({ kind: 'text', text: 'please book a table for two' });
      const ok = await composeTurnInput([{ msg: msg([voice(wavPath)]), journalIds: [] }], {
        shared: false,
        logger,
        transcribe,
      });
      expect(ok.text).toBe('[Voice message transcript] please book a table for two');
      expect(ok.notices).toEqual([]);
      expect(ok.heardVoice).toBe(true);

      // The SDK retries a 5xx once: both attempts fail.
      fake.scriptStt(
        { kind: 'error', status: 503, message: 'overloaded' },
        { kind: 'error', status: 503, message: 'overloaded' },
      );
      const failed = await composeTurnInput([{ msg: msg([voice(wavPath)], 'and a cake'), journalIds: [] }], {
        shared: false,
        logger,
        transcribe,
      });
      expect(failed.notices).toHaveLength(1);
      expect(failed.notices[0]).toContain('503');
      expect(failed.notices[0]!.split('\n')).toHaveLength(1);
      expect(failed.text).toContain('could not be transcribed');
      expect(failed.text).toContain('and a cake');
    });

    it('converts the returned WAV to Ogg/Opus with ffmpeg and logs the converter', async () => {
      fake.scriptTts({ kind: 'audio', data: wav, type: 'audio/wav' });
      const logger = createMemoryLogger();
      const r = await speakReply({
        settings: tts(),
        text: 'Your table is **booked**.',
        dir: join(dir, 'out'),
        logger,
      });
      expect(r.kind).toBe('media');
      if (r.kind !== 'media') return;
      expect(r.converter).toBe('ffmpeg');
      expect(r.media).toMatchObject({ kind: 'voice', mime: 'audio/ogg' });
      const ogg = parseOggOpus(readFileSync(r.media.path));
      expect(ogg.channels).toBe(1);
      expect(ogg.hasOpusTags).toBe(true);
      expect(fake.tts.at(-1)).toMatchObject({
        model: 'tts-1',
        voice: 'alloy',
        input: 'Your table is booked.',
        responseFormat: 'opus',
      });
      expect(logger.find('info', 'spoken reply ready')[0]?.fields).toMatchObject({
        converter: 'ffmpeg',
        from: 'wav',
      });
    });

    it('without ffmpeg encodes the returned WAV to Ogg/Opus in-process and logs the encoder', async () => {
      fake.scriptTts({ kind: 'audio', data: wav, type: 'audio/wav' });
      const logger = createMemoryLogger();
      const r = await speakReply({
        settings: tts(),
        text: 'Booked.',
        dir: join(dir, 'out'),
        logger,
        ffmpeg: null,
      });
      expect(r.kind === 'media' && r.media.kind).toBe('voice');
      if (r.kind !== 'media') return;
      expect(r.converter).toBe('opusscript');
      expect(parseOggOpus(readFileSync(r.media.path))).toMatchObject({ channels: 1, hasOpusTags: true });
      expect(logger.find('info', 'spoken reply ready')[0]?.fields).toMatchObject({
        converter: 'opusscript',
        reason: 'ffmpeg is not on PATH',
      });
    });

    it('reports a TTS failure as a typed error naming the status', async () => {
      fake.scriptTts(
        { kind: 'error', status: 500, message: 'voice model crashed' },
        { kind: 'error', status: 500, message: 'voice model crashed' },
      );
      const r = await speakReply({
        settings: tts(),
        text: 'Booked.',
        dir: join(dir, 'out'),
        logger: createMemoryLogger(),
      });
      expect(r.kind).toBe('failed');
      if (r.kind === 'failed') expect(r.error.message).toContain('500: voice model crashed');
    });

    it('finds ffmpeg on PATH only when it is there', () => {
      expect(findFfmpeg()).toBeDefined();
      expect(findFfmpeg('')).toBeUndefined();
    });
  },
);
