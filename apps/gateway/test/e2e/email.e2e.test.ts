import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EmailTestbed,
  MAIL_TEST_PASSWORD,
  mailServersUnavailable,
  startEmailTestbed,
} from '@hermes/adapter-email/testing';
import { type FakeOpenAI, startFakeOpenAI, step } from '@hermes/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayProcess,
  gatewayEnv,
  hermesAsync,
  startGatewayProcess,
  until,
} from './gateway-process.js';

const unavailable = mailServersUnavailable();

let home: string;
let fake: FakeOpenAI;
let mail: EmailTestbed;
let gateway: GatewayProcess;
let env: NodeJS.ProcessEnv;
let bot: string;
let ada: string;

const subjects = async (address: string) => (await mail.readMailbox(address)).map((m) => m.parsed);

describe.skipIf(unavailable !== undefined)(
  `hermes gateway with email on real dovecot + postfix${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'hermes-e2e-email-'));
      fake = await startFakeOpenAI();
      mail = await startEmailTestbed();
      bot = mail.newAddress('hermes');
      ada = mail.newAddress('ada');
      env = gatewayEnv(home, {
        EMAIL_ADDRESS: bot,
        EMAIL_PASSWORD: MAIL_TEST_PASSWORD,
        EMAIL_IMAP_HOST: '127.0.0.1',
        EMAIL_IMAP_PORT: String(mail.servers.imapPort),
        EMAIL_IMAP_SECURITY: 'none',
        EMAIL_SMTP_HOST: '127.0.0.1',
        EMAIL_SMTP_PORT: String(mail.servers.smtpPort),
        EMAIL_SMTP_SECURITY: 'none',
        EMAIL_POLL_INTERVAL: '1',
        EMAIL_ALLOWED_USERS: ada,
        EMAIL_HOME_ADDRESS: ada,
        HERMES_CRON_TICK_SECONDS: '0.5',
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_API_KEY: 'sk-test-e2e-email',
        HERMES_MODEL: 'fake-model',
      });
      gateway = startGatewayProcess(env);
      await gateway.waitForLog(/gateway running/, 30_000);
    }, 90_000);

    afterAll(async () => {
      expect(await gateway?.stop()).toBe(0);
      await Promise.all([fake?.close(), mail?.close()]);
      rmSync(home, { recursive: true, force: true });
    }, 30_000);

    it('answers a mail in its thread, and a stranger gets nothing', async () => {
      fake.script(step.text('Hello Ada, **by mail**.'));
      const asked = await mail.send({ from: ada, to: bot, subject: 'Question', text: 'Are you there?' });
      const stranger = mail.newAddress('stranger');
      await mail.send({ from: stranger, to: bot, subject: 'Spam', text: 'Buy now' });
      let replies: Awaited<ReturnType<typeof subjects>> = [];
      await until(
        gateway,
        async () => {
          replies = await subjects(ada);
          return replies.length > 0;
        },
        'the reply in Ada’s mailbox',
        30_000,
      );
      const [reply] = replies;
      expect(reply?.subject).toBe('Re: Question');
      expect(reply?.inReplyTo).toBe(asked);
      // The text part is the Markdown itself, which reads fine as plain text; the HTML part renders it.
      expect(reply?.text).toContain('Hello Ada, **by mail**.');
      expect(reply?.html).toContain('<strong>by mail</strong>');
      expect(fake.requests).toHaveLength(1);
      expect(JSON.stringify(fake.requests[0]?.body)).toContain('[Subject: Question]');
      await gateway.waitForLog(
        /message from an unauthorised user ignored[^\n]*email|email[^\n]*unauthorised user ignored/,
        15_000,
      );
      expect(await subjects(stranger)).toEqual([]);
    }, 60_000);

    it('delivers a cron job to the home address', async () => {
      const created = await hermesAsync(
        [
          'cron',
          'create',
          'every 1h',
          'Write',
          'the',
          'report',
          '--name',
          'mail report',
          '--deliver',
          'email',
        ],
        env,
      );
      expect(created.code, created.stdout + created.stderr).toBe(0);
      const id = /Created ([0-9a-f]{12})/.exec(created.stdout)?.[1];
      fake.script(step.text('Daily report: all green.'));
      expect((await hermesAsync(['cron', 'run', id!], env)).code).toBe(0);
      await until(
        gateway,
        async () => (await subjects(ada)).some((m) => m.text?.includes('Daily report: all green.')),
        'the cron mail at the home address',
        30_000,
      );
    }, 60_000);
  },
);
