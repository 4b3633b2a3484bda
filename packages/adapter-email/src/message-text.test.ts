import { describe, expect, it } from 'vitest';
import { renderEmailHtml } from './format.js';
import { loopSafetyReason } from './loop-safety.js';
import { trimQuotedHistory } from './quote-trim.js';
import { smtpError } from './smtp-sender.js';
import { EmailThreadBook } from './thread-book.js';

describe('trimQuotedHistory', () => {
  it('cuts at the attribution line, also when the client wrapped it over two lines', () => {
    expect(
      trimQuotedHistory(
        'Sounds good.\n\nOn Tue, 2 Dec 2026 at 09:12, Bob Builder\n<bob@example.com> wrote:\n> old text',
      ),
    ).toBe('Sounds good.');
  });
  it('cuts at Outlook headers and "Original Message" blocks', () => {
    expect(trimQuotedHistory('Yes.\r\n\r\nFrom: Bob\r\nSent: Monday\r\nTo: bot\r\n\r\nold')).toBe('Yes.');
    expect(trimQuotedHistory('No.\n-----Original Message-----\nold')).toBe('No.');
  });
  it('drops trailing ">" quotes and the "-- " signature, keeps inline quotes followed by an answer', () => {
    expect(trimQuotedHistory('> question?\nanswer\n\n> trailing quote\n> more')).toBe('> question?\nanswer');
    expect(trimQuotedHistory('Thanks\n-- \nBob\nCEO')).toBe('Thanks');
  });
  it('keeps a mail that is nothing but a quote rather than sending the host an empty text', () => {
    expect(trimQuotedHistory('> only a quote')).toBe('> only a quote');
  });
});

describe('loopSafetyReason', () => {
  const mail = (headers: Record<string, string>, from = 'alice@example.com') => ({
    header: (name: string) => headers[name],
    headerNames: () => Object.keys(headers),
    from,
    ownAddress: 'bot@example.com',
    contentType: headers['content-type'],
  });
  it('lets a person through, including Auto-Submitted: no', () => {
    expect(loopSafetyReason(mail({ subject: 'hi' }))).toBeUndefined();
    expect(loopSafetyReason(mail({ 'auto-submitted': 'no' }))).toBeUndefined();
  });
  it('names why automatic mail is not answered', () => {
    expect(loopSafetyReason(mail({ 'auto-submitted': 'auto-generated' }))).toBe(
      'Auto-Submitted: auto-generated',
    );
    expect(loopSafetyReason(mail({ precedence: 'junk' }))).toBe('Precedence: junk');
    expect(loopSafetyReason(mail({ 'list-unsubscribe': '<mailto:x>' }))).toBe(
      'mailing list (list-unsubscribe header)',
    );
    expect(loopSafetyReason(mail({ 'return-path': '<>' }))).toBe('a bounce (empty Return-Path)');
    expect(loopSafetyReason(mail({ 'content-type': 'multipart/report; report-type=delivery-status' }))).toBe(
      'a delivery or read report',
    );
    expect(loopSafetyReason(mail({}, 'bot@example.com'))).toBe('sent from our own address');
  });
});

describe('EmailThreadBook', () => {
  const info = { messageId: '<m2@x>', chatId: 'alice@example.com', subject: 'Plans', references: ['<m1@x>'] };
  it('threads a reply on the mail it answers, and a reply without replyTo on the sender latest mail', () => {
    const book = new EmailThreadBook([info]);
    const expected = { subject: 'Re: Plans', inReplyTo: '<m2@x>', references: ['<m1@x>', '<m2@x>'] };
    expect(book.headersFor('alice@example.com', '<m2@x>', 'Hello')).toEqual(expected);
    expect(book.headersFor('alice@example.com', undefined, 'Hello')).toEqual(expected);
  });
  it('does not stack "Re:" prefixes; a new conversation gets the default subject', () => {
    const book = new EmailThreadBook([{ ...info, subject: 'RE: Plans' }]);
    expect(book.headersFor('alice@example.com', '<m2@x>', 'Hello').subject).toBe('RE: Plans');
    expect(book.headersFor('bob@example.com', undefined, 'Hello')).toEqual({ subject: 'Hello' });
  });
});

describe('smtpError', () => {
  const fail = (fields: Record<string, unknown>) => Object.assign(new Error('smtp failed'), fields);
  it('treats 4xx as temporary with the wait the server asked for, or a default', () => {
    const hinted = smtpError(
      fail({ responseCode: 421, response: '421 4.7.0 Try again in 30 seconds', command: 'CONN' }),
    );
    expect(hinted).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 30_000 });
    expect(smtpError(fail({ responseCode: 451, response: '451 4.3.0 busy' })).retryAfterMs).toBe(5_000);
  });
  it('never retries a permanent refusal, a login failure or a timeout after DATA', () => {
    expect(smtpError(fail({ responseCode: 550, response: '550 5.1.1 no such user' }))).toMatchObject({
      code: 'bad_request',
      retryable: false,
    });
    expect(smtpError(fail({ code: 'EAUTH', responseCode: 535 }))).toMatchObject({
      code: 'auth_failed',
      retryable: false,
    });
    expect(smtpError(fail({ code: 'ETIMEDOUT', command: 'DATA' }))).toMatchObject({
      code: 'timeout_ambiguous',
    });
    expect(smtpError(fail({ code: 'ETIMEDOUT', command: 'CONN' }))).toMatchObject({
      code: 'network',
      retryable: true,
    });
  });
});

describe('renderEmailHtml', () => {
  it('renders Markdown, and shows raw HTML from the model as text', () => {
    const html = renderEmailHtml('**bold** <script>alert(1)</script>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});
