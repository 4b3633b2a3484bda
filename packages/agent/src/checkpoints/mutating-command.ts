/**
 * Programs that only read (not `env`, `xargs`, `timeout`…: they run another program; not `uniq`, `tree`,
 * `xxd`: they can write an output file). Anything else may change files, so a checkpoint is taken before it: a
 * needless snapshot costs little (an unchanged tree is not stored twice), a missed one loses work.
 */
const READ_ONLY = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'pwd',
  'echo',
  'printf',
  'wc',
  'which',
  'type',
  'whoami',
  'id',
  'date',
  'printenv',
  'uname',
  'hostname',
  'uptime',
  'stat',
  'file',
  'du',
  'df',
  'less',
  'more',
  'diff',
  'cmp',
  'cut',
  'tr',
  'jq',
  'basename',
  'dirname',
  'realpath',
  'readlink',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'od',
  'hexdump',
  'nl',
  'seq',
  'ps',
  'free',
  'true',
  'false',
  'test',
  '[',
  'sleep',
  'column',
  'cd',
]);

/** git subcommands that never touch the work tree. */
const GIT_READ_ONLY = new Set([
  'status',
  'log',
  'diff',
  'show',
  'rev-parse',
  'ls-files',
  'blame',
  'describe',
  'shortlog',
  'grep',
  'ls-tree',
  'cat-file',
  'reflog',
]);

/** Options that turn a reading program into a writing one. */
const WRITING_OPTIONS: Readonly<Record<string, RegExp>> = {
  find: /^-(delete|exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls)$/,
  sed: /^(-i|--in-place)/,
  sort: /^(-o|--output)/,
};

/** Output redirection to a file; `2>&1` and `>/dev/null` write nothing the user would miss. */
const FILE_REDIRECT = /(^|[^<>&0-9])\d*>>?(?!&)\s*(?!\/dev\/null\b)\S/;

function words(segment: string): string[] {
  return segment.trim().split(/\s+/).filter(Boolean);
}

function segmentReads(segment: string): boolean {
  const w = words(segment);
  // Leading VAR=value assignments only set the env of the program that follows.
  while (w[0] && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0])) w.shift();
  const program = w[0];
  if (program === undefined) return true;
  const name = program.split('/').at(-1) ?? program;
  const args = w.slice(1);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '--help')) return true;
  if (name === 'git') {
    const sub = args.find((a) => !a.startsWith('-'));
    return sub !== undefined && GIT_READ_ONLY.has(sub);
  }
  const writing = WRITING_OPTIONS[name];
  if (writing) return !args.some((a) => writing.test(a));
  return READ_ONLY.has(name);
}

/**
 * Whether a shell command might change files. Conservative: command substitution, a redirection to a
 * file, or any program not known to only read counts as a change.
 */
export function mightChangeFiles(command: string): boolean {
  // Quoted text cannot redirect or chain; blank it so `grep "a > b"` still reads as a read.
  const unquoted = command.replace(/'[^']*'|"(?:[^"\\$`]|\\.)*"/g, "''");
  if (/[`]|\$\(/.test(unquoted)) return true;
  if (FILE_REDIRECT.test(unquoted)) return true;
  const harmless = unquoted.replace(/\d*>&\d+|\d*>>?\s*\/dev\/null\b/g, ' ');
  return !harmless.split(/&&|\|\||[;|&\n]/).every(segmentReads);
}
