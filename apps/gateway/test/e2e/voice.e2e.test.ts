import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeTelegram, startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { type FakeOpenAI, lastUserText, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOggOpus } from '../support/audio-check.js';
import { type FakeSpeechServer, startFakeSpeechServer } from '../support/fake-speech-server.js';
import { speak, toVoiceNote, voiceTools } from '../support/voice-tools.js';
import { type GatewayProcess, gatewayEnv, startGatewayProcess, until } from './gateway-process.js';

const tools = voiceTools();

describe.skipIf(!tools.have)(
  `voice in and out through the real gateway process, Telegram fake, real audio${tools.have ? '' : ` (skipped: ${tools.why})`}`,
  () => {
    let home: string;
    let model: FakeOpenAI;
    let speech: FakeSpeechServer;
    let telegram: FakeTelegram;
    let gateway: GatewayProcess | undefined;
    let env: NodeJS.ProcessEnv;
    let voiceNote: Buffer;
    let spokenWav: Buffer;

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'hermes-e2e-voice-'));
      const wav = join(home, 'question.wav');
      speak('what is the weather in Paris', wav);
      voiceNote = toVoiceNote(wav, join(home, 'question.ogg'));
      spokenWav = speak('It is sunny in Paris.', join(home, 'answer.wav'));
      model = await startFakeOpenAI();
      speech = await startFakeSpeechServer();
      telegram = await startFakeTelegram();
      env = gatewayEnv(home, {
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_ALLOWED_USERS: String(telegram.alice.id),
        HERMES_MEDIA_ALLOW_PRIVATE: 'true',
        OPENAI_BASE_URL: model.baseURL,
        OPENAI_API_KEY: 'sk-test-e2e-voice',
        HERMES_MODEL: 'fake-model',
        HERMES_STT_BASE_URL: speech.baseURL,
        HERMES_STT_API_KEY: 'sk-stt-e2e',
        HERMES_TTS_BASE_URL: speech.baseURL,
        HERMES_TTS_VOICE: 'nova',
      });
      gateway = startGatewayProcess(env);
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
    // The previous turn may still be finishing (its spoken reply just arrived): the busy guard then answers
    // "cannot run mid-turn", and the user sends the command again, as this does.
    const command = async (args: string, expectText: RegExp) => {
      let before = texts().length;
      telegram.sendCommand({ chat: dm(), from: telegram.alice, command: 'voice', args });
      return until(
        gateway,
        () => {
          const replies = texts().slice(before);
          if (replies.some((t) => t.includes('cannot run mid-turn'))) {
            before = texts().length;
            telegram.sendCommand({ chat: dm(), from: telegram.alice, command: 'voice', args });
            return undefined;
          }
          return replies.find((t) => expectText.test(t));
        },
        `the reply to /voice ${args}`,
      );
    };
    const sendVoiceNote = (caption?: string) =>
      telegram.sendMedia({
        chat: dm(),
        from: telegram.alice,
        kind: 'voice',
        data: voiceNote,
        mime: 'audio/ogg',
        ...(caption ? { caption } : {}),
      });

    it('/voice status names the mode, both endpoints and the converter, never a key', async () => {
      const status = await command('status', /Voice off/);
      expect(status).toContain('whisper-1');
      expect(status).toContain(speech.baseURL);
      expect(status).toContain('tts-1');
      expect(status).toContain('nova');
      expect(status).toContain('ffmpeg');
      expect(status).not.toContain('sk-stt-e2e');
    });

    it('transcribes a voice note, answers in text, then speaks the answer as an Ogg/Opus voice note', async () => {
      await command('on', /Voice on/);
      speech.scriptStt({ kind: 'text', text: 'what is the weather in Paris' });
      speech.scriptTts({ kind: 'audio', data: spokenWav, type: 'audio/wav' });
      model.script(step.text('It is **sunny** in Paris.'));
      const voicesBefore = voices().length;
      sendVoiceNote();
      // Telegram shows the reply as HTML: **sunny** arrives as <b>sunny</b>.
      await until(gateway, () => texts().some((t) => t.includes('in Paris.')), 'the text reply');
      const voice = await until(
        gateway,
        () => voices()[voicesBefore],
        'the spoken reply in sendVoice',
        20_000,
      );

      // STT got a real Ogg/Opus file (the voice note as Telegram stores it) with its own key.
      const heard = speech.stt.at(-1)!;
      expect(heard.audio.format).toBe('ogg-opus');
      expect(heard).toMatchObject({ model: 'whisper-1', authorization: 'Bearer sk-stt-e2e' });
      // The model saw the transcript, marked as one.
      expect(lastUserText(model.requests.at(-1)!.body)).toContain(
        '[Voice message transcript] what is the weather in Paris',
      );
      // TTS got the words without markup and no key (a separate server never gets the model's key).
      expect(speech.tts.at(-1)).toMatchObject({
        model: 'tts-1',
        voice: 'nova',
        input: 'It is sunny in Paris.',
      });
      expect(speech.tts.at(-1)!.authorization).not.toContain('sk-test-e2e-voice');
      // Telegram got a valid Ogg/Opus file (capture pattern on every page, OpusHead first) after the text.
      const ogg = voice.file!.data;
      expect(ogg.subarray(0, 4).toString('latin1')).toBe('OggS');
      expect(parseOggOpus(ogg)).toMatchObject({ channels: 1, hasOpusTags: true });
      const textReply = telegram.sent.find((m) => m.chatId === dm().id && m.text?.includes('in Paris.'))!;
      expect(voice.messageId).toBeGreaterThan(textReply.messageId);
      expect(gateway!.output()).toMatch(/"converter":"ffmpeg"[^\n]*spoken reply ready/);
    }, 45_000);

    it('in "on" mode a typed message gets text only', async () => {
      const ttsBefore = speech.tts.length;
      const voicesBefore = voices().length;
      model.script(step.text('Typed answer.'), step.text('Second typed answer.'));
      telegram.sendText({ chat: dm(), from: telegram.alice, text: 'typed question' });
      await until(gateway, () => texts().includes('Typed answer.'), 'the first text reply');
      // A second turn on the same lane finishes only after the first one's delivery (speech included) ended.
      telegram.sendText({ chat: dm(), from: telegram.alice, text: 'another typed question' });
      await until(gateway, () => texts().includes('Second typed answer.'), 'the second text reply');
      expect(speech.tts.length).toBe(ttsBefore);
      expect(voices().length).toBe(voicesBefore);
    });

    it('a failed transcription is told in one line and the turn goes on with the caption', async () => {
      speech.scriptStt(
        { kind: 'error', status: 500, message: 'decoder crashed' },
        { kind: 'error', status: 500, message: 'decoder crashed' },
      );
      speech.scriptTts({ kind: 'audio', data: spokenWav, type: 'audio/wav' });
      model.script(step.text('Answering the caption.'));
      const voicesBefore = voices().length;
      sendVoiceNote('and tomorrow?');
      const notice = await until(
        gateway,
        () => texts().find((t) => t.includes("couldn't transcribe")),
        'the transcription failure notice',
      );
      expect(notice).toContain('500');
      expect(notice.split('\n')).toHaveLength(1);
      await until(gateway, () => texts().includes('Answering the caption.'), 'the reply to the caption');
      const asked = lastUserText(model.requests.at(-1)!.body);
      expect(asked).toContain('and tomorrow?');
      expect(asked).toContain('could not be transcribed');
      // The user spoke, so in "on" mode the answer is spoken too, even though the words were not understood.
      await until(
        gateway,
        () => voices().length > voicesBefore,
        'the spoken answer to the voice note',
        20_000,
      );
    }, 30_000);

    it('/voice tts speaks every reply; a TTS failure still sends the text and says why once', async () => {
      await command('tts', /Voice tts/);
      speech.scriptTts(
        { kind: 'error', status: 503, message: 'speech busy' },
        { kind: 'error', status: 503, message: 'speech busy' },
      );
      model.script(step.text('Text survives.'));
      telegram.sendText({ chat: dm(), from: telegram.alice, text: 'speak this please' });
      await until(gateway, () => texts().includes('Text survives.'), 'the text reply');
      const why = await until(
        gateway,
        () => {
          const lines = texts().filter((t) => t.includes("couldn't speak this reply"));
          return lines.length > 0 && lines;
        },
        'the TTS failure notice',
        20_000,
      );
      expect(why).toHaveLength(1);
      expect(why[0]).toContain('503');
    }, 30_000);

    it('keeps the /voice mode across a restart, and /voice off turns it off', async () => {
      expect(await gateway!.stop()).toBe(0);
      gateway = startGatewayProcess(env);
      await gateway.waitForLog(/gateway running/, 30_000);
      const before = texts().length;
      telegram.sendCommand({ chat: dm(), from: telegram.alice, command: 'voice', args: 'status' });
      const status = await until(
        gateway,
        () =>
          texts()
            .slice(before)
            .find((t) => t.includes('Voice')),
        'the status after the restart',
      );
      expect(status).toContain('Voice tts');
      await command('off', /Voice off/);
      await command('bogus', /Usage: \/voice on \| off \| tts \| status/);
      const before2 = texts().length;
      telegram.sendCommand({ chat: dm(), from: telegram.alice, command: 'help' });
      const help = await until(
        gateway,
        () =>
          texts()
            .slice(before2)
            .find((t) => t.includes('Commands')),
        'the /help reply',
      );
      expect(help).toContain('/voice');
    }, 60_000);
  },
);
