import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kvPairingDocuments, PairingStore } from '../inbound/pairing-store.js';
import { openPostgresStorage } from '../state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../state/postgres/test-support/pg-fixture.js';
import type { StateStorage } from '../state/storage.js';
import { pairingApprove, pairingClearPending, pairingList, pairingRevoke } from './pairing.js';

// The commands read process.env, as `hermes pairing` does; each test sets its own and puts it back.
const saved = { ...process.env };
let home: string;
let lines: string[];
const out = (l: string) => lines.push(l);
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hermes-pairing-cli-'));
  lines = [];
  process.env = { ...saved, HERMES_HOME: home };
  delete process.env.HERMES_DATABASE_URL;
});
afterEach(() => {
  process.env = saved;
  rmSync(home, { recursive: true, force: true });
});

const codeFor = async (store: PairingStore, user: string): Promise<string> => {
  const r = await store.generateCode('telegram', user, `name-${user}`);
  if (!r.ok) throw new Error(`no code: ${r.reason}`);
  return r.code;
};

describe('hermes pairing on files (no database configured)', () => {
  it('approves, lists and revokes in $HERMES_HOME/platforms/pairing', async () => {
    const gateway = new PairingStore(join(home, 'platforms', 'pairing'));
    const code = await codeFor(gateway, 'u1');
    expect(await pairingApprove('telegram', code, out)).toBe(0);
    expect(await gateway.isApproved('telegram', 'u1')).toBe(true);
    expect(await pairingList(out)).toBe(0);
    expect(lines).toContain('Approved users:');
    expect(lines.some((l) => l.includes('telegram  u1 (name-u1)'))).toBe(true);
    expect(await pairingRevoke('telegram', 'u1', out)).toBe(0);
    expect(await gateway.isApproved('telegram', 'u1')).toBe(false);
    expect(await pairingApprove('telegram', 'ABCDEFGH', out)).toBe(1);
  });
});

const pgSuite = describe.skipIf(!postgres.ok);

pgSuite(pgSuiteName('hermes pairing with HERMES_DATABASE_URL (the replicas’ shared store)'), () => {
  let storage: StateStorage | undefined;
  afterEach(async () => {
    await storage?.close();
    storage = undefined;
  });

  it('approves a code a replica issued, lists, clears and revokes there, and writes no files', async () => {
    const { url } = await freshSchemaUrl();
    process.env.HERMES_DATABASE_URL = url;
    storage = await openPostgresStorage(url, { replicaId: 'replica-a' });
    const replica = new PairingStore(kvPairingDocuments(storage.kv));
    const code = await codeFor(replica, 'u1');
    await codeFor(replica, 'u2');

    expect(await pairingApprove('telegram', code, out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Approved name-u1 on telegram/);
    expect(await replica.isApproved('telegram', 'u1')).toBe(true);

    expect(await pairingList(out)).toBe(0);
    expect(lines.some((l) => l.includes('telegram  user u2 (name-u2)'))).toBe(true);
    expect(lines.some((l) => l.includes('telegram  u1 (name-u1)'))).toBe(true);

    expect(await pairingClearPending(undefined, out)).toBe(0);
    expect(lines.at(-1)).toBe('Cleared 1 pending request(s).');
    expect(await replica.listPending(['telegram'])).toEqual([]);

    expect(await pairingRevoke('telegram', 'u1', out)).toBe(0);
    expect(await replica.isApproved('telegram', 'u1')).toBe(false);
    expect(existsSync(join(home, 'platforms', 'pairing'))).toBe(false);
  });
});
