// Markdown split + render of a ~1 MB document, against a naive line split of the same text into
// chunks of the same size. The baseline only counts; it does not parse, keep fences or render.
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';

// BENCH_CORE_DIST=<path of another build's index.js> measures that build instead (before/after
// comparisons in the same run, under the same machine load).
const core = process.env.BENCH_CORE_DIST
  ? await import(pathToFileURL(process.env.BENCH_CORE_DIST).href)
  : await import('../dist/index.js');
const { measureLength, parseMarkdown, seededRandom, splitMarkdown } = core;

const TARGET_BYTES = 1024 * 1024;

const WORDS = [
  'gateway',
  'adapter',
  'message',
  'split',
  'render',
  'chunk',
  'fence',
  'limit',
  'queue',
  'token',
  'retry',
  'socket',
  'a<b',
  'R&D',
  '漢字',
  '😀',
  'telegram',
  'matrix',
  'slack',
  'session',
];

function buildDocument() {
  const next = seededRandom(42);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const sentence = () => {
    const parts = [];
    const n = 6 + Math.floor(next() * 14);
    for (let i = 0; i < n; i++) {
      const roll = next();
      const word = pick(WORDS);
      if (roll < 0.05) parts.push(`**${word} ${pick(WORDS)}**`);
      else if (roll < 0.09) parts.push(`*${word}*`);
      else if (roll < 0.13) parts.push(`\`${word}()\``);
      else if (roll < 0.15) parts.push(`[${word}](https://example.com/${word}?a=1&b=2)`);
      else parts.push(word);
    }
    return `${parts.join(' ')}.`;
  };
  const blocks = [];
  let size = 0;
  let n = 0;
  while (size < TARGET_BYTES) {
    const roll = next();
    let block;
    if (n % 12 === 0) block = `## Section ${n / 12 + 1}: ${sentence()}`;
    else if (roll < 0.55) block = Array.from({ length: 1 + Math.floor(next() * 5) }, sentence).join(' ');
    else if (roll < 0.75)
      block = Array.from({ length: 2 + Math.floor(next() * 6) }, (_, i) => `${i + 1}. ${sentence()}`).join(
        '\n',
      );
    else if (roll < 0.9) {
      const lines = Array.from(
        { length: 3 + Math.floor(next() * 25) },
        (_, i) => `  const v${i} = a < b && c > ${i}; // ${pick(WORDS)}`,
      );
      block = `\`\`\`${pick(['ts', 'python', ''])}\n${lines.join('\n')}\n\`\`\``;
    } else block = `> ${sentence()}\n> ${sentence()}`;
    blocks.push(block);
    size += Buffer.byteLength(block) + 2;
    n++;
  }
  return blocks.join('\n\n');
}

/** The baseline: accumulate whole lines while they fit, cut a longer line by length. */
function lineSplit(text, limit, measure) {
  const chunks = [];
  let current = '';
  let length = 0;
  for (const line of text.split('\n')) {
    const lineLength = measure(line);
    if (length > 0 && length + 1 + lineLength > limit) {
      chunks.push(current);
      current = '';
      length = 0;
    }
    if (lineLength > limit) {
      for (let i = 0; i < line.length; i += limit) chunks.push(line.slice(i, i + limit));
      continue;
    }
    current = length === 0 ? line : `${current}\n${line}`;
    length += (length === 0 ? 0 : 1) + lineLength;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

const OUTPUT_STRINGS = 335;
const OUTPUT_UNITS = 1_260_000;

// Small arrays that die young, stored where the optimiser cannot prove them dead: ~96 bytes each, so
// 1900 per output string is ~60 MB per run and 160 is ~5 MB.
const CHURN_ARRAYS_PER_STRING = 1900;
const LIGHT_CHURN_ARRAYS_PER_STRING = 160;
const churn = new Array(64);

/**
 * Fresh flat copies of slices of the text (toLowerCase copies), sized like the telegram-html output,
 * each one after `churnArrays` short-lived arrays.
 */
function outputSizedStrings(text, churnArrays = 0) {
  const size = Math.floor(OUTPUT_UNITS / OUTPUT_STRINGS);
  const strings = [];
  for (let i = 0; i < OUTPUT_STRINGS; i++) {
    for (let j = 0; j < churnArrays; j++) churn[j & 63] = [i, j, i, j, i, j];
    const from = (i * size) % (text.length - size);
    strings.push(text.slice(from, from + size).toLowerCase());
  }
  return strings;
}

const utf16 = (s) => s.length;
function codePoints(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

const summary = (chunks, unit) =>
  `${chunks.length} chunks, longest ${Math.max(...chunks.map((c) => measureLength(c.rendered ?? c, unit)))} ${unit}`;

export default {
  title: 'Markdown split + render',
  runs: 7,
  setup: () => ({ text: buildDocument() }),
  inputBytes: ({ text }) => Buffer.byteLength(text),
  cases: [
    {
      name: 'baseline: line split, 4096 utf16',
      run: ({ text }) => lineSplit(text, 4096, utf16),
      describe: (chunks) => summary(chunks, 'utf16'),
    },
    {
      name: 'splitMarkdown → telegram-html, 4096 utf16',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => splitMarkdown(text, { limit: 4096, unit: 'utf16', dialect: 'telegram-html' }),
      describe: (chunks) => summary(chunks, 'utf16'),
    },
    {
      // The row above in a process whose young generation is capped (a deployment's choice: the library
      // sets no V8 flag). With 4 MB semi-spaces instead of V8's default maximum of 16 MB, the output's
      // survival no longer grows the young generation to 32 MB; the rest of the peak is the old
      // generation holding previous outputs until its next collection.
      name: 'same, process run with --max-semi-space-size=4',
      baseline: 'baseline: line split, 4096 utf16',
      nodeFlags: ['--max-semi-space-size=4'],
      run: ({ text }) => splitMarkdown(text, { limit: 4096, unit: 'utf16', dialect: 'telegram-html' }),
      describe: (chunks) => summary(chunks, 'utf16'),
    },
    {
      name: 'baseline: line split, 2000 char',
      run: ({ text }) => lineSplit(text, 2000, codePoints),
      describe: (chunks) => summary(chunks, 'char'),
    },
    {
      name: 'splitMarkdown → markdown, 2000 char',
      baseline: 'baseline: line split, 2000 char',
      run: ({ text }) => splitMarkdown(text, { limit: 2000, unit: 'char', dialect: 'markdown' }),
      describe: (chunks) => summary(chunks, 'char'),
    },
    {
      name: 'parseMarkdown only (share of the above)',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => parseMarkdown(text),
      describe: () => 'marked lexer',
    },
    {
      // The memory floor of the telegram-html row: strings as many and as long as its output (335
      // chunks, 1.26 M UTF-16 units, nearly all two-byte), made from the text without any parsing.
      // Run after run, the previous result is still alive while the next is built, and what survives
      // a young collection is what makes V8 grow its young generation: this row's peak RSS is what
      // returning that output costs at all, whatever the parser.
      name: 'floor: output-sized strings alone (no parsing)',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => outputSizedStrings(text),
      describe: (strings) =>
        `${strings.length} strings, ${(strings.reduce((n, s) => n + s.length, 0) / 1e6).toFixed(2)} M UTF-16 units`,
    },
    {
      // The same strings made among as much short-lived garbage as the telegram-html row allocates
      // (~60 MB per run, measured with --trace-gc-nvp; most of it is marked's lexing). The young
      // collections this churn forces copy and promote the output, and V8 grows the young generation
      // by what survives: this is the peak any implementation allocating that much would show.
      name: 'floor + churn: the same strings among ~60 MB of garbage',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => outputSizedStrings(text, CHURN_ARRAYS_PER_STRING),
      describe: (strings) => `${strings.length} strings`,
    },
    {
      // The same strings among a twelfth of that garbage (~5 MB per run, less than marked's block pass
      // alone allocates for this text): the young generation still grows to its maximum, because the
      // output itself survives a collection every run. No split that returns this output and allocates
      // at least this much can show a peak much below this row's.
      name: 'floor + light churn: the same strings among ~5 MB of garbage',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => outputSizedStrings(text, LIGHT_CHURN_ARRAYS_PER_STRING),
      describe: (strings) => `${strings.length} strings`,
    },
    {
      // The floor the split + render is compared with: marked's own lex + HTML render of the same text.
      name: 'marked.parse → HTML (reference floor)',
      baseline: 'baseline: line split, 4096 utf16',
      run: ({ text }) => marked.parse(text, { gfm: true, breaks: false, async: false }),
      describe: (html) => `${(html.length / 1048576).toFixed(2)} M UTF-16 units of HTML`,
    },
  ],
};
