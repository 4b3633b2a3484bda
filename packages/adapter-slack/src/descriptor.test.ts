import { describe, expect, it } from 'vitest';
import { normalizeSlackUserId, slackDescriptor } from './descriptor.js';

describe('normalizeSlackUserId', () => {
  it('turns the forms people paste into the member id Slack sends', () => {
    for (const written of ['U0ABC123', 'u0abc123', ' <@U0ABC123> ', '<@U0ABC123|ada>'])
      expect(normalizeSlackUserId(written)).toBe('U0ABC123');
    expect(slackDescriptor.normalizeUserId?.('<@w0xyz|bob>')).toBe('W0XYZ');
  });

  it('leaves other text as typed apart from case, so it cannot match a real id by accident', () => {
    expect(normalizeSlackUserId('<@>')).toBe('<@>');
    expect(normalizeSlackUserId('*')).toBe('*');
  });
});
