import { execFileSync } from 'node:child_process';

/** Non-zombie processes in a process group, read with `ps` (independent of the code under test). */
export function liveGroupMembers(pgid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,comm='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid && !f[2]?.startsWith('Z'))
    .map((f) => `${f[0]} ${f[3]} (${f[2]})`);
}
