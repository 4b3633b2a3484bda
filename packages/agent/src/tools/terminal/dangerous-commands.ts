export interface DangerousPattern {
  /** Stable name; `/approve session|always` stores it. */
  key: string;
  /** Plain words for the approval prompt. */
  reason: string;
  pattern: RegExp;
}

export interface DangerMatch {
  key: string;
  reason: string;
}

// Block devices a stray write would destroy; /dev/null, /dev/zero, /dev/tty and friends stay harmless.
const DISK = String.raw`/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|mapper/|md\d|loop\d|dm-)`;
const SHELL = String.raw`(?:sudo\s+)?(?:(?:ba|z|k|da|fi)?sh|python[23]?|perl|ruby|node)\b`;
// Command position: start of line or right after a separator, optionally behind sudo.
const CMD = String.raw`(?:^|[;&|(\x60]\s*)(?:sudo\s+)?`;

export const DEFAULT_DANGEROUS_PATTERNS: readonly DangerousPattern[] = [
  {
    key: 'recursive_delete',
    reason: 'recursive delete',
    pattern: /\brm\s+(?:[^;&|\n]*\s)?(?:-[a-z]*r[a-z]*|--recursive)\b/i,
  },
  {
    key: 'delete_root',
    reason: 'delete under the filesystem root',
    pattern: /\brm\s+(?:-\S+\s+)*\/(?:\s|\*|$)/,
  },
  {
    key: 'find_delete',
    reason: 'bulk delete with find',
    pattern: /\bfind\b[^;&|\n]*(?:-delete\b|-exec\s+(?:\S*\/)?rm\b)/,
  },
  { key: 'xargs_delete', reason: 'bulk delete through xargs', pattern: /\bxargs\b[^;&|\n]*\brm\b/ },
  {
    key: 'disk_copy',
    reason: 'raw write to a disk device',
    pattern: new RegExp(String.raw`\bdd\b[^;&|\n]*\bof=${DISK}`),
  },
  {
    key: 'disk_redirect',
    reason: 'redirect into a disk device',
    pattern: new RegExp(String.raw`>\s*${DISK}`),
  },
  {
    key: 'disk_tools',
    reason: 'formats or repartitions a disk',
    pattern: /\b(?:mkfs(?:\.\w+)?|mkswap|wipefs|fdisk|sfdisk|parted|shred)\b/,
  },
  {
    key: 'fork_bomb',
    reason: 'fork bomb',
    pattern: /([\w:.]+)\s*\(\)\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}/,
  },
  {
    key: 'pipe_to_shell',
    reason: 'runs a script downloaded from the network',
    pattern: new RegExp(String.raw`\b(?:curl|wget|fetch)\b[^;&\n]*\|\s*${SHELL}`),
  },
  {
    key: 'decoded_to_shell',
    reason: 'runs an encoded script',
    pattern: new RegExp(String.raw`\b(?:base64\s+(?:-d|--decode)|xxd\s+-r)\b[^;&\n]*\|\s*${SHELL}`),
  },
  {
    key: 'shell_from_download',
    reason: 'runs a script downloaded from the network',
    pattern: /\b(?:ba|z|k)?sh\b[^;&|\n]*(?:<\s*)?(?:<\(|\$\()\s*(?:curl|wget)\b/,
  },
  {
    key: 'world_writable',
    reason: 'makes files world-writable recursively or at the root',
    pattern: /\bchmod\s+(?:(?:-\S*R\S*|--recursive)\s+(?:-\S+\s+)*0?777\b|(?:-\S+\s+)*0?777\s+\/(?:\s|$))/,
  },
  {
    key: 'recursive_chown_root',
    reason: 'changes ownership of the whole filesystem',
    pattern: /\bchown\s+(?:-\S*R\S*|--recursive)\s+(?:-\S+\s+)*\S+\s+\/(?:\s|$)/,
  },
  {
    key: 'power',
    reason: 'shuts down or restarts the machine',
    pattern: new RegExp(
      String.raw`${CMD}(?:shutdown|reboot|halt|poweroff|systemctl\s+(?:poweroff|reboot|halt|kexec)|init\s+[06])\b`,
    ),
  },
  {
    key: 'kill_all',
    reason: 'kills every process',
    pattern: /\bkill\s+-(?:9|KILL|s\s+KILL)\s+-1\b|\bkillall5?\b/,
  },
  {
    key: 'system_config',
    reason: 'overwrites system configuration',
    pattern: />\s*\/etc\/|\btee\s+(?:-\S+\s+)*\/etc\//,
  },
  { key: 'sql_drop', reason: 'drops a database or table', pattern: /\bdrop\s+(?:table|database|schema)\b/i },
];

/**
 * Undo the cheap disguises a model or a prompt injection might use (`r''m`, `\rm`, `/bin/rm`,
 * doubled spaces) so the patterns see the command as the shell will run it.
 */
export function normalizeCommand(command: string): string {
  return command
    .replace(/\\\n/g, ' ')
    .replace(/(["'])\1/g, '')
    .replace(/\\(?=[a-z])/gi, '')
    .replace(/(^|[\s;&|(`])(?:\/usr)?\/s?bin\//g, '$1')
    .replace(/(^|[\s;&|(`])(?:command|env|exec|nohup)\s+/g, '$1')
    .replace(/[ \t]+/g, ' ');
}

export function detectDangerousCommand(
  command: string,
  patterns: readonly DangerousPattern[] = DEFAULT_DANGEROUS_PATTERNS,
): DangerMatch | undefined {
  const normalized = normalizeCommand(command);
  for (const p of patterns) {
    if (p.pattern.test(normalized)) return { key: p.key, reason: p.reason };
  }
  return undefined;
}
