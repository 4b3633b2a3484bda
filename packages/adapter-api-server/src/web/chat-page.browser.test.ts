import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext, InboundMessage } from '@hermes/adapter-core';
import { silentLogger } from '@hermes/adapter-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiServerAdapter } from '../adapter.js';
import type { ApiServerConfigInput } from '../config.js';

// The chat page in a real headless Chromium (Debian's package, installed by tooling/ci/install-chromium.sh),
// against a real ApiServerAdapter whose host answers through edit()/send() as the gateway does.

const KEY = 'browser-key-0123456789';
const WAIT = { timeout: 10_000 };

function findChromium(): { path: string } | { reason: string } {
  const candidates = [process.env['HERMES_CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const path = candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
  if (path !== undefined) return { path };
  const statusFile = process.env['HERMES_CHROMIUM_STATUS'] ?? '/var/tmp/hermes-chromium.status';
  const status = existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() : '';
  return {
    reason: status.startsWith('unavailable:')
      ? status
      : 'no Chromium at /usr/bin/chromium; run tooling/ci/install-chromium.sh as root',
  };
}

const found = findChromium();
const chromiumPath = 'path' in found ? found.path : undefined;
const title = `chat page in headless Chromium${'reason' in found ? ` (skipped: ${found.reason})` : ''}`;

type Turn = (adapter: ApiServerAdapter, message: InboundMessage) => Promise<void>;

interface TestServer {
  url: string;
  received: InboundMessage[];
  /** What the host does with the next turns; replaced per test. */
  onTurn: Turn;
}

const adapters: ApiServerAdapter[] = [];
const contexts: BrowserContext[] = [];

async function startServer(config: ApiServerConfigInput = {}): Promise<TestServer> {
  const adapter = new ApiServerAdapter({ host: '127.0.0.1', port: 0, ...config });
  const server: TestServer = { url: '', received: [], onTurn: async () => {} };
  const ctx: AdapterContext = {
    receive(message) {
      server.received.push(message);
      server.onTurn(adapter, message).catch(() => {});
    },
    status: () => {},
    logger: silentLogger,
    mediaCache: { dir: tmpdir(), pathFor: (name) => join(tmpdir(), name) },
    signal: new AbortController().signal,
  };
  await adapter.start(ctx);
  adapters.push(adapter);
  server.url = `${adapter.address?.url ?? ''}/`;
  return server;
}

/** Answers with `parts` streamed one edit at a time, then the whole text as the final send(). */
function streamed(parts: string[], between: (index: number) => Promise<void> = async () => {}): Turn {
  return async (adapter, message) => {
    const replyId = message.request?.replyMessageId ?? '';
    let soFar = '';
    for (const [index, part] of parts.entries()) {
      soFar += part;
      await adapter.edit(message.chat, replyId, soFar);
      await between(index);
    }
    await adapter.send(message.chat, { text: soFar });
  };
}

function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe.skipIf(chromiumPath === undefined)(title, () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Root in a container: Chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox'],
      timeout: 20_000,
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const errors = pageErrors;
    pageErrors = [];
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await Promise.all(adapters.splice(0).map((a) => a.stop()));
    expect(errors).toEqual([]);
  });

  /** Console errors and uncaught exceptions of every page: a CSP violation shows up here. */
  let pageErrors: string[] = [];

  async function openPage(server: TestServer): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    page.on('console', (m) => {
      // The 401s the key test provokes on purpose are logged by Chromium as failed loads.
      if (m.type() === 'error' && !m.text().includes('401')) pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url, WAIT);
    return page;
  }

  const lastReply = (page: Page) => page.locator('#log .msg.assistant .body').last();

  it('sends with Enter (Shift+Enter is a newline) and renders the streamed reply as it arrives', async () => {
    const server = await startServer();
    const hold = gate();
    const firstShown = gate();
    server.onTurn = streamed(['Hello **bold** ', 'and `code`.'], async (index) => {
      if (index === 0) {
        firstShown.open();
        await hold.promise;
      }
    });
    const page = await openPage(server);
    await expect.poll(() => page.locator('#model').textContent(), WAIT).toBe('Model: hermes-agent');

    const promptBox = page.getByLabel('Message', { exact: true });
    await expect.poll(() => page.evaluate('document.activeElement?.id'), WAIT).toBe('prompt');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await promptBox.inputValue()).toBe('first line\nsecond line');
    expect(server.received).toHaveLength(0);
    await page.keyboard.press('Enter');

    await firstShown.promise;
    // The first part is on screen while the host still holds the rest.
    await expect.poll(() => lastReply(page).textContent(), WAIT).toBe('Hello bold ');
    expect(await lastReply(page).locator('strong').textContent()).toBe('bold');
    expect(await page.locator('#log').getAttribute('aria-busy')).toBe('true');
    expect(await page.locator('#log').getAttribute('role')).toBe('log');
    hold.open();
    await expect.poll(() => lastReply(page).textContent(), WAIT).toBe('Hello bold and code.');
    await expect.poll(() => page.locator('#log').getAttribute('aria-busy'), WAIT).toBe('false');
    expect(await lastReply(page).locator('code').textContent()).toBe('code');
    expect(server.received[0]?.text).toBe('first line\nsecond line');
    expect(server.received[0]?.request?.stream).toBe(true);
    expect(await page.locator('#status').textContent()).toBe('Reply complete.');

    const stored = await page.evaluate(() => localStorage.getItem('hermes-chat:conversations'));
    expect(JSON.parse(stored ?? '[]')[0]?.messages).toEqual([
      { role: 'user', content: 'first line\nsecond line' },
      { role: 'assistant', content: 'Hello **bold** and `code`.' },
    ]);
  });

  it('shows HTML in a reply as text: no element, no script run, no javascript: link', async () => {
    const server = await startServer();
    const evil = [
      'Look: <img src=x onerror="window.hermesPwned=1"> ',
      '<script>window.hermesPwned=2</script> [click](javascript:window.hermesPwned=3) ',
      '<a href="https://attacker.invalid">a</a>',
    ];
    server.onTurn = streamed(evil);
    const page = await openPage(server);
    await page.getByLabel('Message', { exact: true }).fill('show me html');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#log').getAttribute('aria-busy'), WAIT).toBe('false');
    const text = await lastReply(page).textContent();
    expect(text).toBe(
      'Look: <img src=x onerror="window.hermesPwned=1"> <script>window.hermesPwned=2</script> [click](javascript:window.hermesPwned=3) <a href="https://attacker.invalid">a</a>',
    );
    expect(await page.locator('#log img, #log script, #log a').count()).toBe(0);
    expect(await page.evaluate('typeof window.hermesPwned')).toBe('undefined');
  });

  it('keeps a conversation list: new chat, switch and delete, by keyboard', async () => {
    const server = await startServer();
    server.onTurn = async (adapter, message) => {
      await adapter.send(message.chat, { text: `answer to ${message.text}` });
    };
    const page = await openPage(server);
    const ask = async (text: string) => {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.keyboard.press('Enter');
      await expect.poll(() => lastReply(page).textContent(), WAIT).toBe(`answer to ${text}`);
    };
    await ask('one');
    await page.getByRole('button', { name: 'New chat' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#log .msg').count()).toBe(0);
    await ask('two');
    // The second conversation sent only its own history.
    expect(server.received[1]?.request?.history).toEqual([]);
    const items = page.locator('#conversations li .open');
    expect(await items.allTextContents()).toEqual(['two', 'one']);
    await page.getByRole('button', { name: 'one', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#log .msg .body').allTextContents()).toEqual(['one', 'answer to one']);
    await page.reload();
    expect(await page.locator('#log .msg .body').allTextContents()).toEqual(['one', 'answer to one']);
    await page.getByRole('button', { name: 'Delete conversation: two' }).focus();
    await page.keyboard.press('Enter');
    expect(await items.allTextContents()).toEqual(['one']);
  });

  it('asks for the key on a key-protected server, keeps it in sessionStorage only, then works', async () => {
    const server = await startServer({ key: KEY });
    server.onTurn = streamed(['Keyed ', 'reply.']);
    const page = await openPage(server);
    const dialog = page.getByRole('dialog', { name: 'API key needed' });
    await dialog.waitFor(WAIT);
    const keyBox = page.getByLabel('API key', { exact: true });
    expect(await keyBox.getAttribute('type')).toBe('password');
    await keyBox.fill('wrong-key-000000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#key-error').textContent(), WAIT).toContain('refused');
    await keyBox.fill(KEY);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#model').textContent(), WAIT).toBe('Model: hermes-agent');

    await page.getByLabel('Message', { exact: true }).fill('hello');
    await page.keyboard.press('Enter');
    await expect.poll(() => lastReply(page).textContent(), WAIT).toBe('Keyed reply.');
    expect(server.received).toHaveLength(1);
    const storage = await page.evaluate(() => ({
      session: sessionStorage.getItem('hermes-chat:api-key'),
      local: JSON.stringify(localStorage),
    }));
    expect(storage.session).toBe(KEY);
    expect(storage.local).not.toContain(KEY);
  });
});
