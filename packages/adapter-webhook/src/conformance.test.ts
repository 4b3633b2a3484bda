import { type Agent, request } from 'node:http';
import {
  type ConformanceDriver,
  type ConformanceHarness,
  createCountingAgent,
  createTestContext,
  runConformanceSubset,
  type ScenarioId,
} from '@hermes/adapter-testkit';
import { WebhookAdapter } from './index.js';
import { githubSignatureHeaders } from './testing/index.js';

/**
 * The shared suite is written for chat platforms. A webhook receiver has one kind of inbound event and
 * answers into the log, so only the scenarios that fit are run; the rest are listed with the reason.
 */
const NOT_APPLICABLE: Partial<Record<ScenarioId, string>> = {
  'group-mention': 'webhook events have no group chats: each event is its own session',
  'group-without-mention': 'webhook events have no group chats: each event is its own session',
  'thread-reply': 'capabilities.threads is false',
  'media-in': 'capabilities.media.receive is empty',
  'media-out': 'capabilities.media.send is empty',
  'long-reply-split': 'replies go to the log (deliver: log), which has no length limit to split at',
  reconnect: 'the adapter is a server and holds no connection to re-establish',
  'rate-limit':
    'the adapter makes no outbound request a platform could rate-limit (its own 429 is in webhook-server.test.ts)',
};

const APPLICABLE: ScenarioId[] = [
  'start-online',
  'capabilities',
  'contract-members',
  'lifecycle-errors',
  'dm-text',
  'edit',
  'delete',
  'typing',
  'reactions',
  'malformed',
  'clean-stop',
];

const SECRET = 'conformance-secret-123';
const ROUTE = 'conf';
const DELIVERY = 'delivery-1';

function post(
  agent: Agent,
  adapter: WebhookAdapter,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const address = adapter.address;
  if (!address) return Promise.reject(new Error('adapter is not listening'));
  return new Promise((resolve, reject) => {
    const req = request(
      `${address.url}/webhooks/${ROUTE}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers }, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

const driver: ConformanceDriver = {
  name: 'webhook',
  serverConnection: false,
  capabilities: new WebhookAdapter().capabilities,
  async setup(): Promise<ConformanceHarness> {
    const adapter = new WebhookAdapter({
      host: '127.0.0.1',
      port: 0,
      routes: { [ROUTE]: { secret: SECRET, scheme: 'github', prompt: '{text}' } },
    });
    const context = createTestContext();
    const client = createCountingAgent();
    const agent = client.agent;
    const dm = { platform: 'webhook', chatId: `${ROUTE}:${DELIVERY}`, chatType: 'dm' as const };
    return {
      adapter,
      context,
      chats: { dm, group: { ...dm, chatId: 'no-groups', chatType: 'group' } },
      senderId: `webhook:${ROUTE}`,
      secrets: [SECRET],
      async deliverDm(text) {
        const body = JSON.stringify({ text });
        const status = await post(
          agent,
          adapter,
          body,
          githubSignatureHeaders(SECRET, body, { delivery: DELIVERY }),
        );
        if (status !== 202) throw new Error(`webhook answered ${status}`);
      },
      async deliverGroup() {
        throw new Error('not applicable: webhook events have no group chats');
      },
      async deliverMalformed() {
        const body = '{"text": "unterminated';
        await post(agent, adapter, body, githubSignatureHeaders(SECRET, body, { delivery: 'garbage' }));
      },
      rateLimitNextSend() {
        throw new Error('not applicable: no outbound requests');
      },
      async sentMessages() {
        return [];
      },
      openConnections: client.openSockets,
      totalConnections: client.opened,
      async teardown() {
        client.destroy();
      },
    };
  },
};

runConformanceSubset(driver, {
  title: 'webhook: adapter conformance (the scenarios that fit a webhook receiver)',
  applicable: APPLICABLE,
  notApplicable: NOT_APPLICABLE,
});
