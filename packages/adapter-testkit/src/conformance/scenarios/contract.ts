import { inspect } from 'node:util';
import { isAdapterError, type PlatformAdapter } from '@hermes/adapter-core';
import { expect } from 'vitest';
import { withTimeout } from '../../wait-for.js';
import type { Scenario } from '../scenario.js';
import type { ConformanceHarness } from '../types.js';

type MemberFlag = 'requestReply' | 'commandMenu' | 'buttons' | 'nativeStreaming' | 'agentTools';

/** Each optional capability flag and the members that must exist exactly when it is true. */
const MEMBERS_OF: Record<MemberFlag, readonly (keyof PlatformAdapter)[]> = {
  requestReply: ['reportUsage', 'reportToolProgress', 'failRequest'],
  commandMenu: ['setCommands'],
  buttons: ['settleActions'],
  nativeStreaming: ['startStream'],
  agentTools: ['agentTools'],
};

function checkMembers(adapter: PlatformAdapter): void {
  for (const [flag, members] of Object.entries(MEMBERS_OF) as [
    MemberFlag,
    readonly (keyof PlatformAdapter)[],
  ][]) {
    const declared = adapter.capabilities[flag] === true;
    for (const member of members) {
      const present = typeof adapter[member] === 'function';
      expect(
        present,
        declared
          ? `capabilities.${flag} is true but adapter.${member} is not a function`
          : `adapter.${member} exists but capabilities.${flag} is not true: set the flag or drop the member`,
      ).toBe(declared);
    }
  }
}

function checkLiveness(adapter: PlatformAdapter): void {
  expect(
    typeof adapter.liveness,
    'adapter.liveness() must exist: the watchdog and `hermes status` read it',
  ).toBe('function');
  const liveness = adapter.liveness!();
  for (const [key, value] of Object.entries(liveness)) {
    expect(
      typeof value === 'number' && Number.isFinite(value),
      `liveness().${key} must be a finite number (epoch ms or ms), got ${String(value)}`,
    ).toBe(true);
  }
}

/** What another program can read off the adapter object: its fields as inspect and JSON show them. */
function publicViews(adapter: PlatformAdapter): string[] {
  const views = [inspect(adapter, { depth: 6, getters: false, showHidden: false })];
  try {
    views.push(JSON.stringify(adapter) ?? '');
  } catch {
    // Circular structures cannot be serialised; inspect above still shows every field.
  }
  return views;
}

function checkNoSecretsShown(harness: ConformanceHarness): void {
  const views = publicViews(harness.adapter);
  for (const secret of harness.secrets ?? []) {
    if (secret.length < 4) continue;
    for (const view of views)
      expect(
        view.includes(secret),
        'a secret of the adapter is readable from its fields: make config and tokens private (#field)',
      ).toBe(false);
  }
}

export const contractMembers: Scenario = {
  id: 'contract-members',
  title:
    'contract: every optional capability flag matches its members, liveness() exists, no secret in public fields',
  async run({ harness }) {
    checkMembers(harness.adapter);
    checkLiveness(harness.adapter);
    checkNoSecretsShown(harness);
  },
};

async function expectNotConnected(adapter: PlatformAdapter, harness: ConformanceHarness, when: string) {
  const result = await withTimeout(
    adapter.send(harness.chats.dm, { text: `send ${when}` }),
    5_000,
    `adapter.send() ${when}`,
  );
  expect(result.ok, `send() ${when} must fail, not pretend to send`).toBe(false);
  if (!result.ok) expect(result.error.code, `send() ${when}: error code`).toBe('not_connected');
}

export const lifecycleErrors: Scenario = {
  id: 'lifecycle-errors',
  title:
    'lifecycle: send() before start() and after stop() is not_connected; start() twice is already_started',
  async beforeStart(harness) {
    await expectNotConnected(harness.adapter, harness, 'before start()');
  },
  async run(s) {
    const { harness, timeouts } = s;
    let error: unknown;
    try {
      await withTimeout(
        harness.adapter.start(harness.context.ctx),
        timeouts.startMs,
        'a second adapter.start()',
      );
    } catch (e) {
      error = e;
    }
    expect(isAdapterError(error), 'a second start() must reject with an AdapterError').toBe(true);
    if (isAdapterError(error)) expect(error.code, 'second start(): error code').toBe('already_started');
    await s.stopAdapter();
    await expectNotConnected(harness.adapter, harness, 'after stop()');
  },
};
