import { type Agent, request } from 'node:http';
import {
  type ConformanceDriver,
  type ConformanceHarness,
  createCountingAgent,
  createTestContext,
  runConformanceSubset,
  type ScenarioId,
} from '@hermes/adapter-testkit';
import { ApiServerAdapter } from './index.js';

/**
 * The shared suite assumes a push platform: the bot can send to a chat at any time. Over a
 * request/response API, a reply only exists for a request that is waiting, so only the scenarios
 * that fit are run; the others are listed below with the reason and covered by this package's own tests.
 */
const NOT_APPLICABLE: Partial<Record<ScenarioId, string>> = {
  'group-mention': 'the API has no group chats: every session is a DM',
  'group-without-mention': 'the API has no group chats: every session is a DM',
  'thread-reply': 'capabilities.threads is false',
  'media-in': 'capabilities.media.receive is empty (image parts are dropped and flagged in raw)',
  'media-out': 'capabilities.media.send is empty',
  'long-reply-split': 'one HTTP response carries the whole reply; nothing is split',
  edit: 'edit() streams into the reply of a waiting request, not into a message sent earlier (chat-completions.test.ts)',
  reconnect: 'the adapter is a server and holds no connection to re-establish',
  'rate-limit':
    'the adapter makes no outbound request a platform could rate-limit (its own 429 is in http-policy.test.ts)',
};

const APPLICABLE: ScenarioId[] = [
  'start-online',
  'capabilities',
  'contract-members',
  'lifecycle-errors',
  'dm-text',
  'delete',
  'typing',
  'reactions',
  'malformed',
  'clean-stop',
];

function post(
  agent: Agent,
  adapter: ApiServerAdapter,
  body: string,
  headers: Record<string, string>,
): Promise<void> {
  const address = adapter.address;
  if (!address) return Promise.reject(new Error('adapter is not listening'));
  return new Promise((resolve) => {
    const req = request(
      `${address.url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers }, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

const driver: ConformanceDriver = {
  name: 'api_server',
  serverConnection: false,
  capabilities: new ApiServerAdapter().capabilities,
  async setup(): Promise<ConformanceHarness> {
    const adapter = new ApiServerAdapter({ host: '127.0.0.1', port: 0 });
    const context = createTestContext();
    const client = createCountingAgent();
    const agent = client.agent;
    const inFlight = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    const dm = { platform: 'api_server', chatId: 'conformance-dm', chatType: 'dm' as const };
    return {
      adapter,
      context,
      chats: { dm, group: { ...dm, chatId: 'no-groups', chatType: 'group' } },
      senderId: 'api-client',
      async deliverDm(text) {
        // The response arrives only when the host answers (or at stop); do not wait for it here.
        track(
          post(
            agent,
            adapter,
            JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: text }] }),
            {
              'x-hermes-session-id': dm.chatId,
            },
          ),
        );
      },
      async deliverGroup() {
        throw new Error('not applicable: the API has no group chats');
      },
      async deliverMalformed() {
        await post(agent, adapter, '{"messages": [ this is not json', {});
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
        await Promise.allSettled([...inFlight]);
        client.destroy();
      },
    };
  },
};

runConformanceSubset(driver, {
  title: 'api_server: adapter conformance (the scenarios that fit a request/response server)',
  applicable: APPLICABLE,
  notApplicable: NOT_APPLICABLE,
});
