import { describe, expect, it } from 'vitest';
import { measureLength } from './length.js';
import { prepareOutboundText } from './prepare-outbound.js';

describe('prepareOutboundText', () => {
  const telegram = { maxMessageLength: 4096, lengthUnit: 'utf16', markdown: 'telegram-html' } as const;

  it("renders to the platform's dialect", () => {
    const [chunk] = prepareOutboundText('**Done** <ok>', telegram);
    expect(chunk?.rendered).toBe('<b>Done</b> &lt;ok&gt;');
  });

  it('renders plain text for the fallback after formatting was rejected', () => {
    const [chunk] = prepareOutboundText('**Done** [link](https://ex.io)', telegram, 'plain');
    expect(chunk?.rendered).toBe('Done link (https://ex.io)');
  });

  it("splits to the platform's limit in its unit", () => {
    const caps = { maxMessageLength: 200, lengthUnit: 'byte', markdown: 'slack-mrkdwn' } as const;
    const text = Array.from({ length: 50 }, (_, i) => `第${i}段 & more`).join('\n\n');
    const chunks = prepareOutboundText(text, caps);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(measureLength(chunk.rendered, 'byte')).toBeLessThanOrEqual(200);
  });

  it('returns nothing to send for an empty text', () => {
    expect(prepareOutboundText('   ', telegram)).toEqual([]);
  });
});
