import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { step } from '@hermes/agent/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Skill } from '../src/skills/skill-library.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness | undefined;
const root = mkdtempSync(`${tmpdir()}/hermes-route-skills-`);
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const skills: Skill[] = [
  {
    name: 'triage',
    description: 'Label new issues',
    body: 'Give every issue exactly one label.',
    dir: mkdtempSync(`${root}/skill-`),
  },
  {
    name: 'haiku',
    description: 'Answer in a haiku',
    body: 'Three lines: 5, 7, 5.',
    dir: mkdtempSync(`${root}/skill-`),
  },
];

describe("a route's skills (webhook `skills`, issue 14)", () => {
  it('preloads the named skills into the turn, refuses others in skill_view, and logs a missing one', async () => {
    h = await startHarness({ kinds: { memory: 'events' }, skills });
    h.fake.script(step.toolCall('skill_view', { name: 'haiku' }), step.text('labelled'));
    h.adapter.inject({
      text: 'New issue: crash on start',
      extra: { turnLimits: { skills: ['triage', 'lint'] } },
    });
    await waitFor(() => h!.fake.requests.length === 2, 'two model calls');
    const system = String(h.fake.requests[0]!.body.messages.find((m) => m.role === 'system')?.content);
    expect(system).toContain('# Skill: triage');
    expect(system).toContain('Give every issue exactly one label.');
    expect(system).not.toContain('Three lines');
    const tool = h.fake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(tool?.content)).toContain('This task may use only these skills: triage, lint');
    expect(h.logger.find('warn', 'skills named for this turn are not installed')).toHaveLength(1);
  });

  it('a chat turn without named skills sees no preloaded skill and may load any', async () => {
    h = await startHarness({ skills });
    h.fake.script(step.toolCall('skill_view', { name: 'haiku' }), step.text('ok'));
    h.adapter.inject({ text: 'write me a poem' });
    await waitFor(() => h!.fake.requests.length === 2, 'two model calls');
    const system = String(h.fake.requests[0]!.body.messages.find((m) => m.role === 'system')?.content);
    expect(system).not.toContain('# Skill:');
    const tool = h.fake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(tool?.content)).toContain('Three lines: 5, 7, 5.');
  });
});
