import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../support/audio-check.js';
import { type FakeSpeechServer, startFakeSpeechServer } from '../support/fake-speech-server.js';
import { readOggOpus } from '../support/ogg-opus-check.js';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

const espeak = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

/** This machine's PATH without every directory holding an ffmpeg: the gateway cannot find one. */
function pathWithoutFfmpeg(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => {
      if (!dir) return false;
      try {
        accessSync(join(dir, 'ffmpeg'), constants.X_OK);
        return false;
      } catch {
        return true;
      }
    })
    .join(delimiter);
}

describe.skipIf(!espeak)(
  `a spoken reply without ffmpeg on PATH, through the real gateway process and the Telegram fake${espeak ? '' : ' (skipped: espeak-ng not on PATH)'}`,
  () => {
    let home: string;
    let model: FakeOpenAI;
    let speech: FakeSpeechServer;
    let telegram: FakeTelegram;
    let gateway: GatewayProcess | undefined;
    let spokenWav: Buffer;

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'hermes-e2e-voice-noffmpeg-'));
      const wavPath = join(home, 'answer.wav');
      const made = spawnSync('espeak-ng', ['-w', wavPath, 'It is sunny in Paris.'], { timeout: 20_000 });
      if (made.status !== 0) throw new Error(`espeak-ng failed: ${made.stderr?.toString()}`);
      spokenWav = readFileSync(wavPath);
      model = await startFakeOpenAI();
      speech = await startFakeSpeechServer();
      telegram = await startFakeTelegram();
      gateway = startGatewayProcess(
        gatewayEnv(home, {
          PATH: pathWithoutFfmpeg(),
          TELEGRAM_BOT_TOKEN: telegram.token,
          TELEGRAM_API_ROOT: telegram.apiRoot,
          TELEGRAM_ALLOWED_USERS: String(telegram.alice.id),
          OPENAI_BASE_URL: model.baseURL,
          OPENAI_API_KEY: 'sk-test-e2e-voice',
          HERMES_MODEL: 'fake-model',
          HERMES_TTS_BASE_URL: speech.baseURL,
        }),
      );
      await gateway.waitForLog(/gateway running/, 30_000);
    }, 60_000);

    afterAll(async () => {
      if (gateway) expect(await gateway.stop()).toBe(0);
      await Promise.all([model?.close(), speech?.close(), telegram?.close()]);
      rmSync(home, { recursive: true, force: true });
    });

    const dm = () => telegram.aliceDm;
    const texts = () => telegram.sent.filter((m) => m.chatId === dm().id && m.text).map((m) => m.text!);
    const voices = () => telegram.sent.filter((m) => m.chatId === dm().id && m.method === 'sendVoice');
    const command = async (args: string, expectText: RegExp) => {
      const before = texts().length;
      telegram.sendCommand({ chat: dm(), from: telegram.alice, command: 'voice', args });
      return until(
        gateway,
        () =>
          texts()
            .slice(before)
            .find((t) => expectText.test(t)),
        `the reply to /voice ${args}`,
      );
    };

    it('/voice tts: the WAV the endpoint returns reaches sendVoice as valid Ogg/Opus, encoded in-process', async () => {
      expect(await command('status', /Voice off/)).toContain('ffmpeg not on PATH');
      await command('tts', /Voice tts/);
      speech.scriptTts({ kind: 'audio', data: spokenWav, type: 'audio/wav' });
      model.script(step.text('It is **sunny** in Paris.'));
      telegram.sendText({ chat: dm(), from: telegram.alice, text: 'weather in Paris?' });
      await until(gateway, () => texts().some((t) => t.includes('in Paris.')), 'the text reply');
      const voice = await until(gateway, () => voices()[0], 'the spoken reply in sendVoice', 20_000);

      expect(speech.tts.at(-1)).toMatchObject({ input: 'It is sunny in Paris.', responseFormat: 'opus' });
      const ogg = readOggOpus(voice.file!.data);
      expect(ogg).toMatchObject({ channels: 1, endsWithEos: true });
      const wav = parseWav(spokenWav);
      const seconds = wav.dataBytes / (wav.bitsPerSample / 8) / wav.channels / wav.sampleRate;
      expect(Math.abs(ogg.finalGranule - ogg.preSkip - seconds * 48_000)).toBeLessThanOrEqual(1);
      expect(gateway!.output()).toMatch(/"converter":"opusscript"[^\n]*spoken reply ready/);
      expect(gateway!.output()).not.toMatch(/"converter":"ffmpeg"/);
    }, 45_000);

    it('Ogg/Opus from the endpoint goes to sendVoice unchanged, logged as endpoint-opus', async () => {
      const first = voices()[0]!.file!.data;
      speech.scriptTts({ kind: 'audio', data: first, type: 'audio/ogg' });
      model.script(step.text('Still sunny.'));
      telegram.sendText({ chat: dm(), from: telegram.alice, text: 'and now?' });
      const voice = await until(gateway, () => voices()[1], 'the second spoken reply', 20_000);
      expect(voice.file!.data.equals(first)).toBe(true);
      expect(gateway!.output()).toMatch(/"converter":"endpoint-opus"[^\n]*spoken reply ready/);
    }, 45_000);
  },
);
