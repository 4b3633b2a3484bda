import type { MarkdownDialect } from '../../contract.js';
import { AdapterError } from '../../errors.js';
import type { DialectWriter } from '../writer.js';
import { matrixHtmlWriter } from './matrix-html.js';
import { plainWriter } from './plain.js';
import { slackMrkdwnWriter } from './slack-mrkdwn.js';
import { telegramHtmlWriter } from './telegram-html.js';

const WRITERS: Record<Exclude<MarkdownDialect, 'markdown'>, DialectWriter> = {
  plain: plainWriter,
  'telegram-html': telegramHtmlWriter,
  'slack-mrkdwn': slackMrkdwnWriter,
  'matrix-html': matrixHtmlWriter,
};

/** The writer of a rendered dialect (`markdown` is passthrough and has none). */
export function writerFor(dialect: Exclude<MarkdownDialect, 'markdown'>): DialectWriter {
  const writer = (WRITERS as Record<string, DialectWriter | undefined>)[dialect];
  if (!writer) {
    throw new AdapterError('config_invalid', `unknown Markdown dialect "${String(dialect)}"`, {
      fix: `use one of: markdown, ${Object.keys(WRITERS).join(', ')}`,
    });
  }
  return writer;
}
