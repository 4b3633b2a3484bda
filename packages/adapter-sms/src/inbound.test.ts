import { MediaCache } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { mapSmsInbound, type SmsInboundContext } from './inbound.js';

const context: SmsInboundContext = {
  ownNumber: '+15005550006',
  media: {
    cache: new MediaCache({ dir: '/tmp/sms-inbound-test' }),
    maxBytes: 1024,
    allowPrivate: false,
    apiOrigin: 'https://api.twilio.com',
    authorization: 'Basic x',
  },
  now: () => new Date(1_700_000_000_000),
};
const SID = `MM${'d'.repeat(32)}`;

describe('mapSmsInbound', () => {
  it('maps an MMS with two media items to a DM from the normalised sender', () => {
    const result = mapSmsInbound(
      {
        MessageSid: SID,
        From: '+15551230000',
        To: '+15005550006',
        Body: 'look',
        NumMedia: '2',
        MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
        MediaContentType0: 'image/jpeg',
        MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
        MediaContentType1: 'audio/ogg',
      },
      context,
    );
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message).toMatchObject({
      id: SID,
      chat: { platform: 'sms', chatId: '+15551230000', chatType: 'dm' },
      sender: { id: '+15551230000' },
      text: 'look',
      receivedAt: new Date(1_700_000_000_000),
    });
    expect(result.message.attachments.map((a) => [a.kind, a.mime])).toEqual([
      ['image', 'image/jpeg'],
      ['audio', 'audio/ogg'],
    ]);
  });

  it('ignores our own number, and says what is wrong with a malformed form', () => {
    expect(mapSmsInbound({ MessageSid: SID, From: '+1 500 555 0006', Body: 'x' }, context)).toMatchObject({
      kind: 'ignored',
    });
    const bad = mapSmsInbound({ MessageSid: 'x', Body: 'x', NumMedia: '11' }, context);
    expect(bad.kind).toBe('malformed');
    if (bad.kind === 'malformed') {
      expect(bad.problem).toContain('From is missing');
      expect(bad.problem).toContain('NumMedia must be a whole number from 0 to 10');
      expect(bad.problem).toContain('MessageSid is not a Twilio message sid');
    }
    expect(mapSmsInbound({ MessageSid: SID, From: '+15551230000', NumMedia: '1' }, context)).toMatchObject({
      kind: 'malformed',
      problem: expect.stringContaining('MediaUrl0 is missing'),
    });
  });
});
