import { type FakeOpenAI, lastUserText, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { kvPairingDocuments, PairingStore } from '../src/inbound/pairing-store.js';
import { openPostgresStorage } from '../src/state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../src/state/postgres/test-support/pg-fixture.js';
import type { StateStorage } from '../src/state/storage.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';

/**
 * DM pairing across replicas: each host has its own HERMES_HOME (its own pairing directory), so only the
 * shared store can make a code issued by one replica valid on the other, and an approval known to both.
 */
const suite = describe.skipIf(!postgres.ok);

const hosts: Harness[] = [];
const fakes: FakeOpenAI[] = [];
const others: StateStorage[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const f of fakes.splice(0)) await f.close();
  for (const s of others.splice(0)) await s.close();
});

suite(pgSuiteName('pairing across replicas'), () => {
  it('a code issued on one replica is approved elsewhere, and every replica then lets the user in', async () => {
    const { url } = await freshSchemaUrl();
    for (const id of ['replica-a', 'replica-b']) {
      const fake = await startFakeOpenAI();
      fake.setDefault((request) => [step.text(`answer to ${lastUserText(request)}`)]);
      fakes.push(fake);
      const h = await startHarness({ fake, storage: await openPostgresStorage(url, { replicaId: id }) });
      hosts.push(h);
      if (id === 'replica-a')
        await waitFor(() => h.adapter.ctx !== undefined, 'replica A holding the connection');
    }
    const [holder, other] = hosts as [Harness, Harness];
    holder.adapter.inject({ text: 'hi', userId: 'stranger', chatId: 'dm-stranger' });
    const notice = await waitFor(
      () => holder.adapter.texts().find((t) => t.includes('pairing code')),
      'pairing notice',
    );
    const code = /`([A-Z2-9]{8})`/.exec(notice)?.[1];
    expect(code).toBeDefined();
    for (const h of hosts) expect(await h.host.runtime.pairing.isApproved('memory', 'stranger')).toBe(false);

    // The owner approves from a third process on the same database, as `hermes pairing approve` does.
    const cli = await openPostgresStorage(url);
    others.push(cli);
    expect(await new PairingStore(kvPairingDocuments(cli.kv)).approveCode('memory', code!)).toMatchObject({
      ok: true,
      userId: 'stranger',
    });
    expect(await holder.host.runtime.pairing.isApproved('memory', 'stranger')).toBe(true);
    expect(await other.host.runtime.pairing.isApproved('memory', 'stranger')).toBe(true);

    holder.adapter.inject({ text: 'let me in', userId: 'stranger', chatId: 'dm-stranger' });
    await waitFor(() => holder.adapter.texts().includes('answer to let me in'), 'answer after approval');
    expect(holder.adapter.texts().filter((t) => t.includes('pairing code'))).toHaveLength(1);
  });
});
