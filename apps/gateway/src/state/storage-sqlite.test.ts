import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStorage } from './sqlite-storage.js';
import { storageContract } from './storage-contract.js';

storageContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-storage-'));
  const path = join(dir, 'state.db');
  return {
    storage: openSqliteStorage(path),
    reopen: async () => openSqliteStorage(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

it('the SQLite engine says where its state is: the state.db path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-storage-'));
  try {
    const storage = openSqliteStorage(join(dir, 'state.db'));
    expect({ engine: storage.engine, location: storage.location }).toEqual({
      engine: 'sqlite',
      location: join(dir, 'state.db'),
    });
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
