import { describe, expect, it } from 'vitest';
import { mightChangeFiles } from './mutating-command.js';

describe('mightChangeFiles', () => {
  it.each([
    'ls -la',
    'cat README.md | grep hermes | wc -l',
    'git status && git diff HEAD',
    'grep "a > b" notes.txt',
    'find . -name "*.ts"',
    'sed -n 1,20p file.txt',
    'node --version',
    'ls missing 2>/dev/null || echo none',
    'ls 2>&1 | head',
    'LC_ALL=C sort names.txt',
  ])('reads only: %s', (command) => {
    expect(mightChangeFiles(command)).toBe(false);
  });

  it.each([
    'rm notes.txt',
    'echo hi > notes.txt',
    'echo hi >> notes.txt',
    'cat a | tee b',
    "sed -i 's/a/b/' file.txt",
    'find . -name "*.tmp" -delete',
    'sort -o out.txt in.txt',
    'git checkout -- .',
    'ls; touch new.txt',
    'echo $(rm x)',
    'python3 script.py',
    'npm install',
    'mv a b',
    'env rm -rf build',
    'uniq in.txt out.txt',
  ])('may change files: %s', (command) => {
    expect(mightChangeFiles(command)).toBe(true);
  });
});
