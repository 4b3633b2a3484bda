import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment, InboundMessage } from '@hermes/adapter-core';
import { lastUserText, step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `inject` takes only the typed extras of other platform kinds; attachments ride along the same way. */
const withAttachments = (attachments: Attachment[]) =>
  ({ attachments }) as unknown as Pick<InboundMessage, 'request' | 'deliverTo' | 'turnLimits'>;

describe('voice in the host (in-process, fake model over HTTP)', () => {
  it('without HERMES_STT_* transcribes at the model endpoint; its refusal is one line and the turn goes on', async () => {
    h = await startHarness();
    const note = join(h.home, 'note.ogg');
    writeFileSync(note, Buffer.from('OggS-not-really-audio'));
    h.fake.script(step.text('Answered the caption.'));
    h.adapter.inject({
      text: 'see the voice note',
      extra: withAttachments([{ kind: 'voice', mime: 'audio/ogg', fetch: async () => note }]),
    });
    const notice = await waitFor(
      () => h!.adapter.texts().find((t) => t.includes("couldn't transcribe")),
      'the transcription failure line',
    );
    // The fake model server has no audio route: the 404 names the path it was asked for.
    expect(notice).toContain('404');
    expect(notice).toContain('/v1/audio/transcriptions');
    expect(notice.split('\n')).toHaveLength(1);
    await waitFor(() => h!.adapter.texts().includes('Answered the caption.'), 'the reply');
    const asked = lastUserText(h.fake.requests.at(-1)!.body);
    expect(asked).toContain('see the voice note');
    expect(asked).toContain('could not be transcribed');
    expect(h.logger.find('warn', 'voice message not transcribed')[0]?.fields).toMatchObject({
      code: 'rejected',
    });
  });

  it("a platform's own transcript (WeCom, DingTalk) is used as is: no download, no transcription, labelled once", async () => {
    h = await startHarness();
    h.fake.script(step.text('Meeting noted.'));
    let fetched = 0;
    h.adapter.inject({
      text: 'meeting tomorrow at ten',
      extra: withAttachments([
        {
          kind: 'voice',
          transcript: 'meeting tomorrow at ten',
          fetch: async () => {
            fetched++;
            throw new Error('no audio');
          },
        },
      ]),
    });
    await waitFor(() => h!.adapter.texts().includes('Meeting noted.'), 'the reply');
    const asked = lastUserText(h.fake.requests.at(-1)!.body);
    expect(asked).toBe('[Voice message transcript] meeting tomorrow at ten');
    expect(fetched).toBe(0);
    expect(h.fake.requests.every((r) => !r.path.includes('/audio/'))).toBe(true);
    expect(h.adapter.texts().some((t) => t.includes("couldn't transcribe"))).toBe(false);
  });

  it('/voice tts on a platform that cannot send audio: the text, then one line saying why there is no audio', async () => {
    h = await startHarness({ adapter: new MemoryAdapter('memory', { media: { send: [], receive: [] } }) });
    h.adapter.inject({ text: '/voice tts' });
    await waitFor(() => h!.adapter.texts().find((t) => t.includes('Voice tts')), 'the /voice reply');
    h.fake.script(step.text('Only text here.'));
    h.adapter.inject({ text: 'talk to me' });
    const line = await waitFor(
      () => h!.adapter.texts().find((t) => t.includes("can't send audio")),
      'the no-audio line',
    );
    const texts = h.adapter.texts();
    expect(texts.indexOf('Only text here.')).toBeLessThan(texts.indexOf(line));
    expect(h.adapter.sent.some((s) => s.message.media?.length)).toBe(false);
  });

  it('/voice status says off by default and names what is not configured', async () => {
    h = await startHarness();
    h.adapter.inject({ text: '/voice' });
    const status = await waitFor(() => h!.adapter.texts().find((t) => t.includes('Voice off')), 'the status');
    expect(status).toContain('STT:');
    expect(status).toContain('TTS:');
    expect(status).toContain('Change with /voice on | tts | off.');
  });
});
