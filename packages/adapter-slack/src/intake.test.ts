import { DedupeCache, silentLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { SLACK_ACTIONS_BLOCK_ID } from './actions.js';
import type { SlackSocketEvent } from './envelope.js';
import { createSlackIntake } from './intake.js';
import { SlackThreadParticipation } from './participation.js';

/** The order in which the intake acknowledges a press and hands it to the host. */
function intakeWithLog(log: string[]) {
  return createSlackIntake({
    identity: { userId: 'U0BOT' },
    rules: {
      requireMention: true,
      freeResponseChannels: new Set(),
      replyInThread: true,
      slashCommand: '/hermes',
    },
    participation: new SlackThreadParticipation(10),
    dedupe: new DedupeCache(),
    logger: silentLogger,
    receive: () => log.push('receive'),
    receiveAction: (action) => log.push(`action:${action.actionId}`),
    fetchFile: () => Promise.reject(new Error('no files here')),
  });
}

function press(envelopeId: string, log: string[]): SlackSocketEvent {
  return {
    type: 'interactive',
    envelope_id: envelopeId,
    body: {
      type: 'block_actions',
      trigger_id: 'trigger-1',
      user: { id: 'U0USER' },
      channel: { id: 'C0GENERAL' },
      container: { message_ts: '1700000000.000100', thread_ts: '1700000000.000001' },
      actions: [{ action_id: 'approve', block_id: SLACK_ACTIONS_BLOCK_ID }],
    },
    ack: async () => {
      log.push(`ack:${envelopeId}`);
    },
  };
}

describe('slack intake of button presses', () => {
  it('acknowledges before handing over, and a redelivered copy only gets its ack', async () => {
    const log: string[] = [];
    const intake = intakeWithLog(log);
    await intake.handle(press('env-1', log));
    await intake.handle(press('env-2', log));
    expect(log).toEqual(['ack:env-1', 'action:approve', 'ack:env-2']);
    expect(intake.stats.duplicates).toBe(1);
  });
});
