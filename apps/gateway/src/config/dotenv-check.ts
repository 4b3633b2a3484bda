import { ConfigError } from './errors.js';

/**
 * Line checks for `.env`, run before `util.parseEnv` (dotenv's rules): that parser skips a line it cannot
 * read and lets an unclosed quote swallow the lines after it, both silently. Messages never quote the line
 * itself, since a line without `=` is often a pasted secret.
 */

const QUOTES = new Set(['"', "'", '`']);
const ASSIGNMENT = /^\s*(?:export\s+)?([^=]*?)\s*=(.*)$/;
const VALID_NAME = /^[A-Za-z_][\w.-]*$/;
/** Reporting stops here: a binary file would otherwise produce one error per line. */
const MAX_REPORTED = 20;

interface OpenQuote {
  quote: string;
  line: number;
  key: string;
}

function trailingText(afterQuote: string): boolean {
  const rest = afterQuote.trim();
  return rest !== '' && !rest.startsWith('#');
}

/**
 * The first control character other than tab (a carriage return ending a CRLF line is stripped before),
 * as its column and hex code.
 */
function controlCharacter(line: string): { column: number; hex: string } | undefined {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f)
      return { column: i + 1, hex: `0x${code.toString(16).padStart(2, '0')}` };
  }
  return undefined;
}

/** Every problem in a `.env` text, each naming the file and the 1-based line, with what to do about it. */
export function checkDotEnv(file: string, text: string): ConfigError[] {
  const errors: ConfigError[] = [];
  const lines = text.split('\n');
  let open: OpenQuote | undefined;
  const report = (line: number, key: string, problem: string) =>
    errors.push(new ConfigError(file, key, problem, line));
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i]!.replace(/\r$/, '');
    const control = controlCharacter(line);
    if (control) {
      report(
        n,
        '',
        `contains a control character (${control.hex} at column ${control.column}), so this is not a text KEY=value line (binary data?): retype the line or delete it`,
      );
      continue;
    }
    if (line.includes('\uFFFD')) {
      report(n, '', 'is not valid UTF-8 text: save the file as UTF-8, or retype the line');
      continue;
    }
    if (open) {
      const at = line.indexOf(open.quote);
      if (at < 0) continue;
      const assignment = ASSIGNMENT.exec(line);
      const opensHere =
        assignment && VALID_NAME.test(assignment[1]!) && assignment[2]!.startsWith(open.quote);
      if (opensHere) {
        report(
          open.line,
          open.key,
          `the ${open.quote} quote opened here is never closed, so lines ${open.line + 1}–${n} (including ${assignment[1]}) would become part of this value: add the closing ${open.quote} at the end of the value on line ${open.line}`,
        );
      } else if (trailingText(line.slice(at + 1))) {
        report(
          n,
          open.key,
          `text after the closing ${open.quote} would be ignored: put it inside the quotes or start it with #`,
        );
      }
      open = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      report(
        n,
        '',
        'is not a KEY=value line (there is no "="): add "=value", comment it out with "#", or delete it',
      );
      continue;
    }
    const key = assignment[1]!;
    if (!VALID_NAME.test(key)) {
      report(
        n,
        '',
        key === ''
          ? 'has no variable name before "=": write NAME=value'
          : 'the name before "=" is not a variable name (letters, digits and _ only, not starting with a digit): fix the name',
      );
      continue;
    }
    const value = assignment[2]!.trimStart();
    const quote = value[0];
    if (quote === undefined || !QUOTES.has(quote)) continue;
    const close = value.indexOf(quote, 1);
    if (close < 0) {
      open = { quote, line: n, key };
      continue;
    }
    if (trailingText(value.slice(close + 1)))
      report(
        n,
        key,
        `text after the closing ${quote} would be ignored: put it inside the quotes or start it with #`,
      );
  }
  if (open)
    report(
      open.line,
      open.key,
      `the ${open.quote} quote opened here is never closed: add the closing ${open.quote} at the end of the value`,
    );
  if (errors.length <= MAX_REPORTED) return errors;
  const shown = errors.slice(0, MAX_REPORTED);
  shown.push(
    new ConfigError(
      file,
      '',
      `${errors.length - MAX_REPORTED} more bad line(s) not listed: is this really a text file of KEY=value lines?`,
    ),
  );
  return shown;
}
