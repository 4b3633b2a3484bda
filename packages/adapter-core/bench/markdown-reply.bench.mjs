// Short replies through prepareOutboundText (what every adapter's send() calls), against the least a
// sender could do with the same text in the same run: escape it, or let marked render it once.
// Each run is CALLS calls, so a run lasts long enough to time; the table's ms/run is per CALLS calls.
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';

// BENCH_CORE_DIST=<path of another build's index.js> measures that build instead (before/after).
const core = process.env.BENCH_CORE_DIST
  ? await import(pathToFileURL(process.env.BENCH_CORE_DIST).href)
  : await import('../dist/index.js');
const { escapeTelegramHtml, measureLength, prepareOutboundText } = core;

const CALLS = 10_000;
const TELEGRAM = { maxMessageLength: 4096, lengthUnit: 'utf16', markdown: 'telegram-html' };

const SHORT = 'Hello there, how can I help?';
const BOLD =
  'Sure! The gateway keeps **one session per chat** and retries a failed send with backoff. ' +
  'Long replies are split at paragraph breaks, and **code blocks stay whole** when they fit. ' +
  'Run the status command to see every adapter, and check the **logs** when a platform keeps ' +
  'rejecting messages. Anything else?';

function repeat(text, call) {
  let last;
  for (let i = 0; i < CALLS; i++) last = call(text);
  return last;
}

const chunksOf = (chunks) => `${chunks.length} chunk, ${chunks[0]?.length ?? 0} utf16`;

export default {
  title: `Short replies (${CALLS.toLocaleString('en')} calls per run; µs per call = ms/run ÷ 10)`,
  runs: 7,
  setup: () => ({ short: SHORT, bold: BOLD }),
  inputBytes: ({ short, bold }) => (Buffer.byteLength(short) + Buffer.byteLength(bold)) * CALLS,
  cases: [
    {
      name: `baseline: escape + measure "${SHORT}"`,
      run: ({ short }) => repeat(short, (t) => measureLength(escapeTelegramHtml(t), 'utf16')),
      describe: (length) => `${length} utf16`,
    },
    {
      name: `prepareOutboundText "${SHORT}"`,
      baseline: `baseline: escape + measure "${SHORT}"`,
      run: ({ short }) => repeat(short, (t) => prepareOutboundText(t, TELEGRAM)),
      describe: chunksOf,
    },
    {
      name: `baseline: marked.parse ${BOLD.length}-char reply with **bold**`,
      run: ({ bold }) => repeat(bold, (t) => marked.parse(t, { gfm: true, breaks: false, async: false })),
      describe: (html) => `${html.length} chars of HTML`,
    },
    {
      name: `prepareOutboundText ${BOLD.length}-char reply with **bold**`,
      baseline: `baseline: marked.parse ${BOLD.length}-char reply with **bold**`,
      run: ({ bold }) => repeat(bold, (t) => prepareOutboundText(t, TELEGRAM)),
      describe: chunksOf,
    },
  ],
};
