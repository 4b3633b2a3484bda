import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkDotEnv } from './dotenv-check.js';

const FILE = '/home/op/.hermes/.env';
const check = (text: string) => checkDotEnv(FILE, text);
const lines = (text: string) => check(text).map((e) => e.line);

describe('checkDotEnv', () => {
  it('accepts what dotenv accepts: comments, export, quotes, multi-line quoted values, CRLF', () => {
    const text = [
      '# a comment',
      '',
      'export TELEGRAM_BOT_TOKEN=123:abc',
      'OPENAI_BASE_URL = http://127.0.0.1:11434/v1   # trailing comment',
      'HERMES_MODEL="llama3.1" # quoted',
      "SINGLE='it has spaces'",
      'PEM="-----BEGIN KEY-----',
      'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+XQ==',
      '-----END KEY-----"',
      'EMPTY=',
      'WINDOWS=yes\r',
      'dotted.name-ok=1',
    ].join('\n');
    expect(check(text)).toEqual([]);
    // The checker and the parser agree on what the values are.
    expect(parseEnv(text)).toMatchObject({
      TELEGRAM_BOT_TOKEN: '123:abc',
      HERMES_MODEL: 'llama3.1',
      EMPTY: '',
    });
  });

  it('reports a line without "=" by file and line, without repeating its text (it may be a secret)', () => {
    const [error, ...rest] = check('A=1\nsk-live-0123456789abcdef\nB=2\n');
    expect(rest).toEqual([]);
    expect(error?.line).toBe(2);
    expect(error?.file).toBe(FILE);
    expect(error?.message).toBe(
      `${FILE} line 2: is not a KEY=value line (there is no "="): add "=value", comment it out with "#", or delete it`,
    );
    expect(error?.message).not.toContain('sk-live');
  });

  it('reports binary junk: NUL and other control bytes, with the column', () => {
    const errors = check('GOOD=1\nBAD=\u0000\u0001\u0002\n\u007fELF\nTAB=\tok\n');
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[0]?.message).toContain('control character (0x00 at column 5)');
    expect(errors[1]?.message).toContain('0x7f at column 1');
  });

  it('reports text that is not UTF-8', () => {
    const text = Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x0a]).toString('utf8');
    expect(check(text)[0]?.message).toContain('line 1: is not valid UTF-8');
  });

  it('reports a quote that is never closed, at the line that opened it, naming the key', () => {
    const [error] = check('A=1\nOPENAI_API_KEY="sk-abc\nB=2\n');
    expect(error?.line).toBe(2);
    expect(error?.key).toBe('OPENAI_API_KEY');
    expect(error?.message).toContain('the " quote opened here is never closed');
    expect(error?.message).not.toContain('sk-abc');
  });

  it('reports an unclosed quote that would swallow the next variables up to their own quote', () => {
    const text = 'A="unterminated\nB=2\nC="3"\n';
    // What the parser would silently do: B and C disappear into A.
    expect(parseEnv(text)).toEqual({ A: 'unterminated\nB=2\nC=' });
    const [error] = check(text);
    expect(error?.line).toBe(1);
    expect(error?.message).toContain('lines 2–3 (including C) would become part of this value');
  });

  it('reports text after a closing quote, which the parser drops', () => {
    expect(parseEnv('A="x"junk')).toEqual({ A: 'x' });
    expect(check('A="x"junk\nB="y" # fine\n')[0]?.message).toBe(
      `${FILE} line 1: A: text after the closing " would be ignored: put it inside the quotes or start it with #`,
    );
  });

  it('reports names that are not variable names, and a missing name', () => {
    expect(lines('A B=1\n=x\n1ABC=2\nOK=1\n')).toEqual([1, 2, 3]);
    expect(check('=x')[0]?.message).toContain('has no variable name before "="');
  });

  it('stops listing after 20 lines, so a binary file gives a readable answer', () => {
    const errors = check('\u0000\n'.repeat(50));
    expect(errors).toHaveLength(21);
    expect(errors[20]?.message).toContain('30 more bad line(s) not listed');
  });
});
