import { startFakeTelegram } from '@hermes/adapter-telegram/testing';
import { startFakeOpenAI, step } from '@hermes/agent/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchemaUrl, pgSuiteName, postgres } from '../../src/state/postgres/test-support/pg-fixture.js';
import { API_KEY, type Replica, ReplicaRig, type Takeover, waitFor } from './replica-rig.js';
import {
  type ApiTrickle,
  checkApiReplies,
  checkTelegramReplies,
  makeTelegramUsers,
  modelRunsPerToken,
  type SentTelegramMessage,
  startApiTrickle,
  startTelegramTraffic,
  type TelegramTraffic,
  telegramToken,
} from './replica-traffic.js';
import {
  checkWecomReplies,
  liveWecomConnection,
  type SentWecomMessage,
  startWecomTraffic,
  type WecomTraffic,
  wecomToken,
} from './replica-wecom.js';

/** Short, so takeovers happen within the test's time; the default is 15 s. */
const LEASE_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe('the replica traffic checker (against the fake Telegram, no gateway)', () => {
  it('finds a missing, a duplicated, a misrouted and an out-of-order reply', async () => {
    const telegram = await startFakeTelegram();
    try {
      const [a, b] = makeTelegramUsers(telegram, 2);
      const sent: SentTelegramMessage[] = [1, 2, 3].flatMap((seq) =>
        [a!, b!].map((u) => ({
          user: u.index + 1,
          chatId: u.chat.id,
          seq,
          token: telegramToken(u.index + 1, seq),
          sentAt: Date.now(),
        })),
      );
      const post = (chatId: number, text: string) =>
        fetch(`${telegram.apiRoot}/bot${telegram.token}/sendMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: chatId, text }),
        });
      // User 1: m01, m03, m02 (disorder), m03 again (duplicate). User 2: m01, then m02 lands in user 1's chat; m03 never.
      for (const [chat, text] of [
        [a!.chat.id, 'echo: msg u01-m01'],
        [a!.chat.id, 'echo: msg u01-m03'],
        [a!.chat.id, 'echo: msg u01-m02'],
        [a!.chat.id, 'echo: msg u01-m03'],
        [b!.chat.id, 'echo: msg u02-m01'],
        [a!.chat.id, 'echo: msg u02-m02'],
      ] as const)
        expect((await post(chat, text)).status).toBe(200);
      const check = checkTelegramReplies(sent, telegram);
      expect(check.missing.map((m) => m.token)).toEqual(['u02-m03']);
      expect(check.duplicated).toEqual([{ token: 'u01-m03', count: 2 }]);
      expect(check.outOfOrder).toEqual([{ chatId: a!.chat.id, after: 'u01-m03', got: 'u01-m02' }]);
      expect(check.misrouted).toEqual([{ token: 'u02-m02', chatId: a!.chat.id }]);
      expect(check.answered).toBe(5);
    } finally {
      await telegram.close();
    }
  });

  it('counts the model runs per token and judges API answers by their own echo', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.script(step.text('x'), step.text('y'));
      for (const content of ['msg u01-m01', 'msg u01-m01'])
        await fetch(`${fake.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content }] }),
        });
      const runs = modelRunsPerToken(fake, ['u01-m01', 'u01-m02']);
      expect([...runs]).toEqual([
        ['u01-m01', 2],
        ['u01-m02', 0],
      ]);
    } finally {
      await fake.close();
    }
    const api = checkApiReplies([
      { token: 'api-0001', target: 'r1', sentAt: 0, status: 200, content: 'echo: msg api-0001' },
      { token: 'api-0002', target: 'r1', sentAt: 0, status: 200, content: 'echo: msg api-0001' },
      { token: 'api-0003', target: 'r2', sentAt: 0, error: 'fetch failed' },
    ]);
    expect(api.answered).toBe(1);
    expect(api.failed.map((r) => r.token)).toEqual(['api-0002', 'api-0003']);
  });
});

describe('the replica WeCom checker (no gateway)', () => {
  it('finds a missing, a duplicated, a misrouted, an out-of-order and a foreign-req_id reply; counts passive and proactive', () => {
    const sent: SentWecomMessage[] = [1, 2, 3].flatMap((seq) =>
      [1, 2].map((user) => ({
        user,
        chatId: `wuser0${user}`,
        seq,
        token: wecomToken(user, seq),
        sentAt: 0,
        reqId: `req-${user}-${seq}`,
        msgid: `msg-${user}-${seq}`,
      })),
    );
    const reply = (via: 'respond' | 'send', reqId: string, chatId: string, content: string, errcode = 0) => ({
      via,
      connection: 1,
      at: 0,
      reqId,
      chatId,
      msgtype: 'markdown',
      content,
      errcode,
      body: {},
    });
    const check = checkWecomReplies(sent, [
      reply('respond', 'req-1-1', 'wuser01', 'echo: msg w01-m01'),
      reply('send', 'x1', 'wuser01', 'echo: msg w01-m03'),
      reply('respond', 'req-1-2', 'wuser01', 'echo: msg w01-m02'),
      reply('send', 'x2', 'wuser01', 'echo: msg w01-m03'),
      // Refused (stale req_id), then sent proactively: one answer, not two.
      reply('respond', 'req-2-1', 'wuser02', 'echo: msg w02-m01', 846605),
      reply('send', 'x3', 'wuser02', 'echo: msg w02-m01'),
      reply('send', 'x4', 'wuser01', 'echo: msg w02-m02'),
      reply('respond', 'req-1-1', 'wuser02', 'echo: msg w02-m03'),
    ]);
    expect(check.missing.map((m) => m.token)).toEqual([]);
    expect(check.duplicated).toEqual([{ token: 'w01-m03', count: 2 }]);
    expect(check.outOfOrder).toEqual([{ chatId: 'wuser01', after: 'w01-m03', got: 'w01-m02' }]);
    expect(check.misrouted).toEqual([{ token: 'w02-m02', chatId: 'wuser01' }]);
    expect(check.foreignReqId).toEqual([{ token: 'w02-m03', reqId: 'req-1-1', connection: 1 }]);
    expect([...check.refused]).toEqual([[846605, 1]]);
    expect([check.passive, check.proactive]).toEqual([3, 4]);
    expect(checkWecomReplies(sent, []).missing).toHaveLength(6);
  });
});

const suite = describe.skipIf(!postgres.ok);

suite(
  pgSuiteName('gateway replicas on one PostgreSQL (real processes, fake Telegram, WeCom and model)'),
  () => {
    let rig: ReplicaRig | undefined;
    let traffic: TelegramTraffic | undefined;
    let wecomTraffic: WecomTraffic | undefined;
    let trickle: ApiTrickle | undefined;
    /** Each kill -9 of the run: a WeCom callback pushed onto the victim's socket just before may die with it. */
    let kills: Array<{ replica: string; at: number }> = [];

    afterEach(async () => {
      traffic?.stop();
      wecomTraffic?.stop();
      await trickle?.stop();
      await rig?.close();
      rig = undefined;
      traffic = undefined;
      wecomTraffic = undefined;
      trickle = undefined;
      kills = [];
    }, 60_000);

    const startRig = async (users: number, replicas: number, wecomUsers = 0): Promise<ReplicaRig> => {
      const r = await ReplicaRig.start({
        databaseUrl: (await freshSchemaUrl()).url,
        users,
        wecomUsers,
        leaseSeconds: LEASE_SECONDS,
      });
      rig = r;
      for (let i = 0; i < replicas; i++) await r.startReplica();
      return r;
    };

    const startTrickle = (r: ReplicaRig, everyMs: number): ApiTrickle => {
      trickle = startApiTrickle({
        targets: () => r.apiTargets(),
        key: API_KEY,
        everyMs,
        requestTimeoutMs: 20_000,
      });
      return trickle;
    };

    /** Takes the replica out of the API rotation and lets its requests in flight finish (a load balancer's drain). */
    const drainApi = async (replica: Replica) => {
      replica.inRotation = false;
      await trickle?.drain(replica.name, 5_000);
    };

    /** Waits (bounded) for the last messages to be answered, then a little longer for any late duplicate. */
    const settle = async (r: ReplicaRig, t: TelegramTraffic, w?: WecomTraffic) => {
      await Promise.race([Promise.all([t.done, w?.done]), sleep(120_000)]);
      await trickle?.stop();
      await waitFor(
        () =>
          checkTelegramReplies(t.sent, r.telegram).missing.length === 0 &&
          (!w || checkWecomReplies(w.sent, r.wecom.replies).missing.length === 0),
        'every message answered',
        30_000,
      ).catch(() => undefined);
      await sleep(2 * LEASE_SECONDS * 1000);
    };

    /** The figures the lead quotes, then the assertions. */
    /** Post-mortem of missing WeCom tokens: journal, outbox and forwarded-call rows, and where the callback went. */
    const explainMissingWecom = async (r: ReplicaRig, missing: SentWecomMessage[]) => {
      const client = new pg.Client({ connectionString: r.databaseUrl });
      await client.connect();
      try {
        for (const m of missing.slice(0, 5)) {
          const inbound = await client.query(
            "SELECT id, state, written_by, attempts, received_at, dedupe_key FROM inbound WHERE payload LIKE '%' || $1 || '%'",
            [m.token],
          );
          const outbox = await client.query(
            "SELECT id, state, written_by, attempts, error FROM outbox WHERE payload LIKE '%' || $1 || '%'",
            [m.token],
          );
          const calls = await client.query(
            "SELECT id, op, state, caller, taken_by, result FROM platform_calls WHERE args::text LIKE '%' || $1 || '%'",
            [m.token],
          );
          const refused = r.wecom.replies.filter((x) => x.content?.includes(m.token));
          console.log(
            `[post-mortem] ${m.token} (req ${m.reqId}, pushed on connection ${m.connection ?? 'none: queued'} of ${m.connection ? r.wecomReplicaOf(m.connection) : '-'} at ${m.sentAt}): ` +
              `inbound ${JSON.stringify(inbound.rows)} outbox ${JSON.stringify(outbox.rows)} platform_calls ${JSON.stringify(calls.rows).slice(0, 600)} ` +
              `replies seen by the fake ${JSON.stringify(refused.map(({ body: _b, ...x }) => x))}`,
          );
        }
      } finally {
        await client.end();
      }
    };

    /**
     * Missing WeCom tokens the gateway never journaled whose callback the fake pushed onto a socket within a
     * moment before its replica was killed -9: the frame died unread with the process, and WeCom does not
     * deliver a callback twice. The platform's limit, not the gateway's: counted apart and bounded.
     */
    const diedWithSocket = async (r: ReplicaRig, missing: SentWecomMessage[]): Promise<Set<string>> => {
      const died = new Set<string>();
      if (missing.length === 0) return died;
      const client = new pg.Client({ connectionString: r.databaseUrl });
      await client.connect();
      try {
        for (const m of missing) {
          const owner = m.connection === undefined ? undefined : r.wecomReplicaOf(m.connection);
          const kill = kills.find((k) => k.replica === owner && m.sentAt <= k.at && k.at - m.sentAt < 1_000);
          if (!kill) continue;
          const { rows } = await client.query("SELECT id FROM inbound WHERE payload LIKE '%' || $1 || '%'", [
            m.token,
          ]);
          if (rows.length === 0) died.add(m.token);
        }
      } finally {
        await client.end();
      }
      return died;
    };

    /** Post-mortem of missing tokens: what the database holds for each (journal and outbox rows). */
    const explainMissing = async (r: ReplicaRig, missing: SentTelegramMessage[]) => {
      const tokens = missing.map((m) => m.token);
      const client = new pg.Client({ connectionString: r.databaseUrl });
      await client.connect();
      try {
        const rows = await client.query('SELECT count(*)::int AS n FROM inbound');
        console.log(`[post-mortem] ${rows.rows[0]?.n} inbound rows in all`);
        for (const token of tokens.slice(0, 5)) {
          const inbound = await client.query(
            "SELECT id, state, written_by, attempts, received_at FROM inbound WHERE payload LIKE '%' || $1 || '%'",
            [token],
          );
          const outbox = await client.query(
            "SELECT id, state, written_by, attempts, error FROM outbox WHERE payload LIKE '%' || $1 || '%'",
            [token],
          );
          const sent = missing.find((m) => m.token === token);
          const byKey = await client.query(
            'SELECT id, state, written_by, payload FROM inbound WHERE dedupe_key = $1',
            [`telegram:${sent?.chatId}:${sent?.messageId}`],
          );
          console.log(
            `[post-mortem] ${token}: inbound ${JSON.stringify(inbound.rows)} outbox ${JSON.stringify(outbox.rows)} same key ${JSON.stringify(byKey.rows).slice(0, 400)}`,
          );
        }
      } finally {
        await client.end();
      }
    };

    /**
     * Missing replies whose outbox row is `ambiguous`: the replica sending it was killed inside the send, and a
     * reply that may have reached the platform is never sent again (no duplicates). Telegram's Bot API has no
     * idempotency key to settle it, so these are counted apart and bounded, not called lost.
     */
    const cutMidSend = async (r: ReplicaRig, missing: Array<{ token: string }>): Promise<Set<string>> => {
      const cut = new Set<string>();
      if (missing.length === 0) return cut;
      const client = new pg.Client({ connectionString: r.databaseUrl });
      await client.connect();
      try {
        for (const m of missing) {
          const { rows } = await client.query<{ state: string }>(
            "SELECT state FROM outbox WHERE payload LIKE '%' || $1 || '%'",
            [m.token],
          );
          if (rows.some((row) => row.state === 'ambiguous')) cut.add(m.token);
        }
      } finally {
        await client.end();
      }
      return cut;
    };

    const verify = async (
      label: string,
      r: ReplicaRig,
      t: TelegramTraffic,
      api: ApiTrickle,
      /** kill -9s in the run: each may cut a send in flight, at most a few (one per chat being answered). */
      killCount = 0,
      w?: WecomTraffic,
      /**
       * WeCom messages pushed onto a paused holder's socket while it was stopped: the fake (as WeCom) never
       * pushes them again, they wait in that socket until the replica resumes and hands them over, so they are
       * answered after messages sent later. Allowed out of order, counted apart; never allowed to go missing.
       */
      heldByPause: ReadonlySet<string> = new Set(),
    ) => {
      const check = checkTelegramReplies(t.sent, r.telegram);
      if (check.missing.length > 0) await explainMissing(r, check.missing);
      const cut = await cutMidSend(r, check.missing);
      const lost = check.missing.filter((m) => !cut.has(m.token));
      const apiCheck = checkApiReplies(api.records);
      const runs = modelRunsPerToken(r.model, [
        ...t.sent.map((m) => m.token),
        ...(w?.sent ?? []).map((m) => m.token),
        ...api.records.map((a) => a.token),
      ]);
      const reruns = [...runs.values()].filter((n) => n > 1).length;
      console.log(
        `[${label}] telegram: ${t.sent.length} sent, ${check.answered} answered, ${check.missing.length} missing, ` +
          `${check.duplicated.length} duplicated, ${check.outOfOrder.length} chats out of order, ` +
          `${check.misrouted.length} misrouted, ${check.merged} replies answering a batch; api: ${apiCheck.sent} sent, ${apiCheck.answered} answered, ` +
          `${apiCheck.failed.length} failed; model runs: ${r.model.requests.length} (${reruns} tokens run more than once)`,
      );
      expect(t.sent.length).toBe(t.total);
      if (check.missing.length > 0)
        console.log(
          `[${label}] not answered: ${check.missing.map((m) => `${m.token}#${m.updateId}${cut.has(m.token) ? ' (reply cut mid-send by a kill -9: ambiguous, never re-sent)' : ' (LOST)'}`).join(' ')}`,
        );
      // WeCom, checked before the first assertion so a Telegram failure still prints its figures.
      const wecom = w ? checkWecomReplies(w.sent, r.wecom.replies) : undefined;
      let wecomLost: string[] = [];
      let wecomCut = new Set<string>();
      let wecomDied = new Set<string>();
      if (w && wecom) {
        if (wecom.missing.length > 0) await explainMissingWecom(r, wecom.missing);
        wecomCut = await cutMidSend(r, wecom.missing);
        wecomDied = await diedWithSocket(r, wecom.missing);
        wecomLost = wecom.missing
          .map((m) => m.token)
          .filter((token) => !wecomCut.has(token) && !wecomDied.has(token));
        const late = wecom.outOfOrder.filter((o) => heldByPause.has(o.got));
        wecom.outOfOrder = wecom.outOfOrder.filter((o) => !heldByPause.has(o.got));
        console.log(
          `[${label}] wecom: ${heldByPause.size} pushed onto the paused holder's socket, ${late.length} of them answered after later messages (${late.map((o) => o.got).join(' ') || 'none'})`,
        );
        console.log(
          `[${label}] wecom: ${w.sent.length} sent, ${wecom.answered} answered (${wecom.passive} passive, ${wecom.proactive} proactive), ` +
            `${wecom.missing.length} missing (${wecomCut.size} cut mid-send, ${wecomDied.size} died unread with a killed socket), ` +
            `${wecom.duplicated.length} duplicated, ${wecom.outOfOrder.length} chats out of order, ${wecom.misrouted.length} misrouted, ` +
            `${wecom.foreignReqId.length} passive on a foreign req_id, ${wecom.merged} replies answering a batch; refused by the fake: ` +
            `${[...wecom.refused].map(([code, n]) => `${n}×${code}`).join(', ') || 'none'}`,
        );
        if (wecom.missing.length > 0)
          console.log(
            `[${label}] wecom not answered: ${wecom.missing
              .map(
                (m) =>
                  `${m.token}${wecomCut.has(m.token) ? ' (cut mid-send: ambiguous)' : wecomDied.has(m.token) ? ' (died unread with a killed socket)' : ' (LOST)'}`,
              )
              .join(' ')}`,
          );
      }
      expect(lost.map((m) => m.token)).toEqual([]);
      expect(cut.size).toBeLessThanOrEqual(killCount * 3);
      expect(check.duplicated).toEqual([]);
      expect(check.outOfOrder).toEqual([]);
      expect(check.misrouted).toEqual([]);
      expect(apiCheck.sent).toBeGreaterThan(0);
      expect(apiCheck.failed).toEqual([]);
      if (w && wecom) {
        expect(w.sent.length).toBe(w.total);
        expect(wecomLost).toEqual([]);
        expect(wecomCut.size + wecomDied.size).toBeLessThanOrEqual(killCount * 3);
        expect(wecom.duplicated).toEqual([]);
        expect(wecom.outOfOrder).toEqual([]);
        expect(wecom.misrouted).toEqual([]);
        // The fake refuses a passive reply on a req_id its socket never received (846605); one accepted on the
        // req_id of some other message would mean a reply was tied to the wrong callback.
        expect(wecom.foreignReqId).toEqual([]);
        // Nothing went to a user outside the traffic (an accepted reply with no token, e.g. an error notice).
        expect(
          r.wecom.replies.filter((x) => x.errcode === 0 && !/\bw\d+-m\d+\b/.test(x.content ?? '')),
        ).toEqual([]);
      }
    };

    /**
     * Which replica ran the turns (the one that recorded each reply, `written_by`) and how many sends went out
     * through another replica's connection: turns are shared, the Telegram (or WeCom) connection is not.
     */
    const turnSpread = async (
      label: string,
      r: ReplicaRig,
      platform = 'telegram',
    ): Promise<Map<string, number>> => {
      const client = new pg.Client({ connectionString: r.databaseUrl });
      await client.connect();
      try {
        const byReplica = await client.query<{ written_by: string; n: number }>(
          'SELECT written_by, count(*)::int AS n FROM outbox WHERE platform = $1 GROUP BY written_by ORDER BY written_by',
          [platform],
        );
        const forwarded = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM platform_calls WHERE platform = $1 AND op = 'send' AND state = 'done'",
          [platform],
        );
        const spread = new Map(byReplica.rows.map((row) => [row.written_by, row.n]));
        console.log(
          `[${label}] ${platform} replies recorded per replica: ${[...spread].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
            `${forwarded.rows[0]?.n ?? 0} sent through another replica's connection`,
        );
        return spread;
      } finally {
        await client.end();
      }
    };

    const logTakeover = (label: string, t: Takeover) =>
      console.log(
        `[takeover] ${label}: ${t.from} -> ${t.to}; status file shows the new owner after ${t.statusMs ?? 'n/a'} ms, ` +
          `its first getUpdates after ${t.firstPollMs ?? 'none'} ms, its first reply sent after ${t.firstReplyMs ?? 'none'} ms`,
      );

    // What works without replicas: the rig, the traffic and the checks, and a crash restarted in place (its
    // HERMES_HOME kept: the Telegram adapter's offset and held text batches live there, not in the database).
    it('one replica on PostgreSQL, kill -9 mid-traffic and a restart in place: each message answered once, in order', async () => {
      const r = await startRig(10, 1);
      const t = startTelegramTraffic(r.telegram, r.users, {
        messagesPerUser: 10,
        meanGapMs: 900,
        jitter: 0.5,
        seed: 1,
      });
      traffic = t;
      const api = startTrickle(r, 300);
      await t.reached(0.5, 30_000);
      const [victim] = r.running();
      await drainApi(victim!);
      const killedAt = Date.now();
      await r.kill9(victim!);
      const fresh = await r.startReplica({ home: victim!.home });
      logTakeover(
        'single replica kill -9',
        await r.measureTakeover(victim!, killedAt, 'telegram', 20_000, fresh),
      );
      await settle(r, t);
      await verify('one replica, kill -9 + restart', r, t, api, 1);
    }, 90_000);

    it('three replicas: 1,000 messages from 50 users through two kill -9 of the owner and a SIGSTOP past its lease', async () => {
      const r = await startRig(50, 3, 10);
      const first = await r.waitForOwner('telegram', 20_000);
      const firstWecom = await r.waitForOwner('wecom', 20_000);
      console.log(
        `[replicas] ${r
          .running()
          .map((x) => x.name)
          .join(', ')} up; ${first.name} owns telegram, ${firstWecom.name} owns wecom`,
      );
      const seed = Date.now() % 1_000_000;
      console.log(`[replicas] traffic seed ${seed}`);
      const t = startTelegramTraffic(r.telegram, r.users, {
        messagesPerUser: 20,
        meanGapMs: 2_500,
        jitter: 0.5,
        seed,
      });
      traffic = t;
      // 100 WeCom DMs over about the same ~50 s as the Telegram traffic, so every disturbance meets some.
      const w = startWecomTraffic(r.wecom, r.wecomUsers, {
        messagesPerUser: 10,
        meanGapMs: 5_000,
        jitter: 0.5,
        seed,
      });
      wecomTraffic = w;
      const api = startTrickle(r, 400);

      /** The victim owns Telegram (the takeover measured), and WeCom too whenever one replica holds both. */
      const disturbTarget = async (label: string) => {
        const victim = await r.ownerOfMost(['telegram', 'wecom'], 10_000);
        const wecomOwner = r.ownersOf('wecom');
        console.log(
          `[replicas] ${label}: target ${victim.name}; telegram held by ${r.ownersOf('telegram')}, wecom by ${wecomOwner}`,
        );
        return { victim, ownedWecom: r.status(victim)?.owns.includes('wecom') === true };
      };
      const logWecomTakeover = (label: string, m: Awaited<ReturnType<ReplicaRig['measureWecomTakeover']>>) =>
        console.log(
          `[takeover] ${label} (wecom): -> ${m.to ?? 'none'}; subscribed after ${m.subscribedMs ?? 'n/a'} ms, ` +
            `its first accepted reply after ${m.firstReplyMs ?? 'none'} ms`,
        );

      for (const [label, at] of [
        ['kill -9 at 25%', 0.25],
        ['kill -9 at 50%', 0.5],
      ] as const) {
        await t.reached(at, 60_000);
        const { victim: owner, ownedWecom } = await disturbTarget(label);
        await drainApi(owner);
        const killedAt = Date.now();
        await r.kill9(owner);
        kills.push({ replica: owner.name, at: killedAt });
        const [takeover, wecomTakeover] = await Promise.all([
          r.measureTakeover(owner, killedAt, 'telegram', 20_000),
          ownedWecom ? r.measureWecomTakeover(owner, killedAt, 20_000) : undefined,
          r.startReplica(),
        ]);
        logTakeover(label, takeover);
        if (wecomTakeover) logWecomTakeover(label, wecomTakeover);
      }

      await t.reached(0.7, 60_000);
      const { victim: paused, ownedWecom: pausedWecom } = await disturbTarget('SIGSTOP at 70%');
      await drainApi(paused);
      const pausedAt = Date.now();
      r.pause(paused);
      const [pauseTakeover, pauseWecomTakeover] = await Promise.all([
        r.measureTakeover(paused, pausedAt, 'telegram', 20_000),
        pausedWecom ? r.measureWecomTakeover(paused, pausedAt, 20_000) : undefined,
      ]);
      logTakeover('SIGSTOP at 70%', pauseTakeover);
      if (pauseWecomTakeover) logWecomTakeover('SIGSTOP at 70%', pauseWecomTakeover);
      await sleep(pausedAt + 3 * LEASE_SECONDS * 1000 - Date.now());
      const resumedAt = Date.now();
      r.resume(paused);
      // Past its lease, the resumed replica gives the connections up instead of fighting for them.
      await waitFor(
        () =>
          r.status(paused) &&
          !r.status(paused)?.owns.includes('telegram') &&
          !r.status(paused)?.owns.includes('wecom'),
        `${paused.name}'s status file no longer claiming telegram nor wecom after SIGCONT`,
        10_000,
        () => `\n${r.describe()}`,
      );
      console.log(
        `[replicas] ${paused.name} resumed after ${resumedAt - pausedAt} ms paused; owner now ${(await r.waitForOwner('telegram', 10_000)).name}, ` +
          `wecom owner ${(await r.waitForOwner('wecom', 10_000)).name}`,
      );

      await settle(r, t, w);
      const heldByPause = new Set(
        w.sent
          .filter(
            (m) =>
              m.connection !== undefined &&
              r.wecomReplicaOf(m.connection) === paused.name &&
              m.sentAt >= pausedAt &&
              m.sentAt <= resumedAt,
          )
          .map((m) => m.token),
      );
      await verify('kill -9 ×2 + SIGSTOP', r, t, api, 2, w, heldByPause);
      const spread = await turnSpread('kill -9 ×2 + SIGSTOP', r);
      await turnSpread('kill -9 ×2 + SIGSTOP', r, 'wecom');
      // Turns ran on more than one replica: not all on whichever held the connection.
      expect(spread.size).toBeGreaterThan(1);
      // Nothing on the Telegram connection from the resumed replica unless it was handed the lease again.
      if (!r.status(paused)?.owns.includes('telegram'))
        expect(r.connectionUseBy(paused, resumedAt).map((c) => `${c.method}@+${c.at - resumedAt}ms`)).toEqual(
          [],
        );
      // Nor did WeCom accept anything from it after SIGCONT (a new subscription of its own would steal the
      // session from the rightful holder), unless it holds the WeCom lease again.
      if (!r.status(paused)?.owns.includes('wecom')) {
        const device = `hermes-${paused.name}`;
        expect(
          r.wecom.subscriptions.filter((s) => s.deviceId === device && s.at >= resumedAt && s.errcode === 0),
        ).toEqual([]);
        expect(
          r.wecom.replies
            .filter(
              (x) => x.errcode === 0 && x.at >= resumedAt && r.wecomReplicaOf(x.connection) === paused.name,
            )
            .map((x) => `${x.via} ${x.content}`),
        ).toEqual([]);
      }
      expect(t.total).toBe(1_000);
      expect(w.total).toBe(100);
    }, 170_000);

    it("WeCom callbacks pushed onto a paused holder's socket are answered once after it resumes", async () => {
      const r = await startRig(1, 2, 3);
      const holder = await r.waitForOwner('wecom', 20_000);
      const pausedAt = Date.now();
      r.pause(holder);
      // Pushed before anyone else subscribes: they wait in the paused replica's socket, and WeCom never
      // pushes a callback twice, so only that replica can hand them over.
      const sent: SentWecomMessage[] = r.wecomUsers.map((u) => {
        const token = wecomToken(u.index + 1, 1);
        const connection = liveWecomConnection(r.wecom);
        const { reqId, msgid } = r.wecom.deliverText(`msg ${token}`, { from: u.userId, chatId: u.userId });
        return {
          user: u.index + 1,
          chatId: u.userId,
          seq: 1,
          token,
          sentAt: Date.now(),
          reqId,
          msgid,
          ...(connection === undefined ? {} : { connection }),
        };
      });
      expect(
        sent.every((m) => m.connection !== undefined && r.wecomReplicaOf(m.connection) === holder.name),
      ).toBe(true);
      const takeover = await r.measureWecomTakeover(holder, pausedAt, 20_000);
      console.log(`[paused holder] wecom takeover: ${JSON.stringify(takeover)}`);
      await sleep(pausedAt + 3 * LEASE_SECONDS * 1000 - Date.now());
      r.resume(holder);
      await waitFor(
        () => checkWecomReplies(sent, r.wecom.replies).missing.length === 0,
        'the held callbacks answered',
        30_000,
      ).catch(() => undefined);
      await sleep(LEASE_SECONDS * 1000);
      const check = checkWecomReplies(sent, r.wecom.replies);
      if (check.missing.length > 0) await explainMissingWecom(r, check.missing);
      console.log(
        `[paused holder] wecom: ${sent.length} pushed onto ${holder.name}'s socket while it was stopped, ${check.answered} answered ` +
          `(${check.passive} passive, ${check.proactive} proactive), ${check.duplicated.length} duplicated`,
      );
      expect(check.missing.map((m) => m.token)).toEqual([]);
      expect(check.duplicated).toEqual([]);
      // Its socket is no longer the bot's: the answers went out proactively through the new holder.
      expect(check.passive).toBe(0);
    }, 90_000);

    it('a rolling restart of all three under steady traffic loses and duplicates nothing, order kept', async () => {
      const r = await startRig(50, 3, 10);
      await r.waitForOwner('telegram', 20_000);
      await r.waitForOwner('wecom', 20_000);
      const seed = Date.now() % 1_000_000;
      console.log(`[rolling] traffic seed ${seed}`);
      const t = startTelegramTraffic(r.telegram, r.users, {
        messagesPerUser: 8,
        meanGapMs: 3_000,
        jitter: 0.5,
        seed,
      });
      traffic = t;
      const w = startWecomTraffic(r.wecom, r.wecomUsers, {
        messagesPerUser: 8,
        meanGapMs: 3_000,
        jitter: 0.5,
        seed,
      });
      wecomTraffic = w;
      const api = startTrickle(r, 400);
      await t.reached(0.1, 30_000);
      for (const old of [...r.replicas]) {
        const owns = r.status(old)?.owns ?? [];
        const owned = owns.includes('telegram');
        await drainApi(old);
        const stoppedAt = Date.now();
        expect(await r.terminate(old)).toBe(0);
        const fresh = await r.startReplica();
        const owner = await r.waitForOwner('telegram', 20_000);
        const wecomOwner = await r.waitForOwner('wecom', 20_000);
        console.log(
          `[rolling] ${old.name} stopped (held ${owns.join('+') || 'nothing'}), ${fresh.name} started; ` +
            `${owner.name} owns telegram, ${wecomOwner.name} wecom, ${Date.now() - stoppedAt} ms after the SIGTERM`,
        );
        if (owned)
          logTakeover(`SIGTERM of ${old.name}`, await r.measureTakeover(old, stoppedAt, 'telegram', 20_000));
      }
      await settle(r, t, w);
      await verify('rolling restart', r, t, api, 0, w);
      expect((await turnSpread('rolling restart', r)).size).toBeGreaterThan(1);
      await turnSpread('rolling restart', r, 'wecom');
    }, 150_000);
  },
);
