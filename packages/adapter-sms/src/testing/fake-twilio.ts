import { randomBytes } from 'node:crypto';
import {
  type FakeServer,
  freePort,
  type RecordedRequest,
  respondJson,
  respondRaw,
  startFakeServer,
} from '@hermes/adapter-testkit';
import { parseTwilioForm, type TwilioParams } from '../twilio-params.js';
import { postTwilioWebhook, type WebhookPostResult } from './sign.js';

/** A message the fake accepted on Messages.json, in the conformance suite's terms plus Twilio's. */
export interface FakeSmsSentMessage {
  sid: string;
  chatId: string;
  from: string;
  text?: string;
  threadId?: string;
  replyTo?: string;
  /** The file name at the end of the first MediaUrl. */
  mediaName?: string;
  /** What the fake fetched from that MediaUrl (as Twilio does before it sends an MMS). */
  mediaBytes?: Buffer;
  mediaUrls: string[];
  statusCallback?: string;
  raw: TwilioParams;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** The Twilio number the bot sends from. */
  phoneNumber?: string;
  /** Where the fake posts inbound webhooks; can be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  friendlyName?: string;
}

export interface DeliverSmsOptions {
  from?: string;
  /** Default: a fresh SM sid. Reuse one to simulate Twilio sending the same message again. */
  messageSid?: string;
  media?: Array<{ bytes: Buffer; mime: string }>;
  /** Retries on no answer / 5xx, as Twilio does with connection overrides. Default 2. */
  retries?: number;
  /** Extra form fields, or replacements (tests of malformed webhooks). */
  extra?: Record<string, string | string[]>;
  /** Sign for this URL instead of the one posted to (a proxy in between). */
  signedUrl?: string;
  headers?: Record<string, string>;
  signature?: string | null;
}

/**
 * A loopback Twilio: the REST routes the adapter's SDK calls (Messages.json with Basic auth, the account,
 * MMS media), Twilio's error bodies and 429s, and the webhook side (signed "a message comes in" posts and
 * status callbacks) aimed at the adapter's server. Written from Twilio's API reference, not the adapter.
 */
export interface FakeTwilio {
  /** Pass as `apiBase` (TWILIO_API_BASE). */
  readonly url: string;
  readonly server: FakeServer;
  readonly accountSid: string;
  readonly authToken: string;
  readonly phoneNumber: string;
  setWebhookUrl(url: string): void;
  /** Posts a signed inbound SMS/MMS webhook to the adapter; resolves with its answer. */
  deliverSms(body: string, o?: DeliverSmsOptions): Promise<WebhookPostResult & { messageSid: string }>;
  /** Posts a signed status callback for a message the adapter sent (to its StatusCallback URL). */
  sendStatus(sid: string, status: string, errorCode?: string): Promise<WebhookPostResult>;
  /** Stores a media file as Twilio does for an inbound MMS; returns its (Basic-auth protected) URL. */
  addMedia(bytes: Buffer, mime: string): string;
  /** Messages the fake accepted, in order; waits for the media fetches still running. */
  sentMessages(): Promise<FakeSmsSentMessage[]>;
  /** The next `count` Messages.json calls get 429 with Retry-After (Twilio error 20429). */
  rateLimitNextSend(retryAfterSeconds: number, count?: number): void;
  close(): Promise<void>;
}

const API = '/2010-04-01/Accounts';

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function twilioError(res: Parameters<typeof respondJson>[0], status: number, code: number, message: string) {
  respondJson(
    res,
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    status,
  );
}

function one(params: TwilioParams, key: string): string | undefined {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

function all(params: TwilioParams, key: string): string[] {
  const v = params[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeTwilio(o: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const server = await startFakeServer();
  const accountSid = o.accountSid ?? `AC${hex(16)}`;
  const authToken = o.authToken ?? hex(16);
  const phoneNumber = o.phoneNumber ?? '+15005550006';
  let webhookUrl = o.webhookUrl;
  const sent: FakeSmsSentMessage[] = [];
  const fetches: Promise<void>[] = [];
  const media = new Map<string, { bytes: Buffer; mime: string }>();
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const authorized = (req: RecordedRequest, res: Parameters<typeof respondJson>[0]): boolean => {
    if (req.headers.authorization === expectedAuth) return true;
    twilioError(res, 401, 20003, 'Authenticate');
    return false;
  };

  server.route('GET', `${API}/${accountSid}.json`, (req, res) => {
    if (!authorized(req, res)) return;
    respondJson(res, {
      sid: accountSid,
      friendly_name: o.friendlyName ?? 'Hermes test account',
      status: 'active',
      type: 'Full',
    });
  });

  server.route('POST', new RegExp(`^${API}/[^/]+/Messages\\.json$`), (req, res) => {
    if (!authorized(req, res)) return;
    if (!req.path.startsWith(`${API}/${accountSid}/`)) {
      return twilioError(res, 404, 20404, 'The requested resource was not found');
    }
    const params = parseTwilioForm(req.text());
    const to = one(params, 'To');
    const from = one(params, 'From');
    const body = one(params, 'Body');
    const mediaUrls = all(params, 'MediaUrl');
    if (!to || !/^\+\d{6,15}$/.test(to)) {
      return twilioError(res, 400, 21211, `The 'To' number ${to ?? ''} is not a valid phone number.`);
    }
    if (from !== phoneNumber) {
      return twilioError(
        res,
        400,
        21606,
        `The 'From' phone number provided (${from ?? ''}) is not a valid message-capable Twilio phone number for this destination/account.`,
      );
    }
    if ((body === undefined || body === '') && mediaUrls.length === 0) {
      return twilioError(res, 400, 21602, 'Message body is required.');
    }
    if (body !== undefined && body.length > 1600) {
      return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const sid = `${mediaUrls.length > 0 ? 'MM' : 'SM'}${hex(16)}`;
    const statusCallback = one(params, 'StatusCallback');
    const message: FakeSmsSentMessage = {
      sid,
      chatId: to,
      from,
      ...(body === undefined ? {} : { text: body }),
      mediaUrls,
      ...(statusCallback === undefined ? {} : { statusCallback }),
      raw: params,
    };
    const first = mediaUrls[0];
    if (first !== undefined) {
      message.mediaName = decodeURIComponent(new URL(first).pathname.split('/').pop() ?? '');
      // Twilio fetches the media after accepting the request; so does the fake.
      fetches.push(
        fetch(first, { signal: AbortSignal.timeout(5000) })
          .then(async (r) => {
            if (r.ok) message.mediaBytes = Buffer.from(await r.arrayBuffer());
          })
          .catch(() => {}),
      );
    }
    sent.push(message);
    const now = new Date().toUTCString();
    respondJson(
      res,
      {
        sid,
        account_sid: accountSid,
        to,
        from,
        body: body ?? '',
        status: 'queued',
        num_segments: String(Math.max(1, Math.ceil((body ?? '').length / 153))),
        num_media: String(mediaUrls.length),
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        uri: `${API}/${accountSid}/Messages/${sid}.json`,
      },
      201,
    );
  });

  server.route('GET', new RegExp(`^${API}/[^/]+/Messages/[^/]+/Media/([^/]+)$`), (req, res) => {
    if (!authorized(req, res)) return;
    const id = req.path.split('/').pop() ?? '';
    const item = media.get(id);
    if (item === undefined) return twilioError(res, 404, 20404, 'The requested resource was not found');
    respondRaw(res, 200, item.bytes, { 'content-type': item.mime });
  });

  const requireWebhook = (): string => {
    if (webhookUrl === undefined)
      throw new Error('FakeTwilio: call setWebhookUrl() (the adapter webhook URL) first');
    return webhookUrl;
  };

  const addMedia = (bytes: Buffer, mime: string): string => {
    const id = `ME${hex(16)}`;
    media.set(id, { bytes, mime });
    return `${server.url}${API}/${accountSid}/Messages/MM${hex(16)}/Media/${id}`;
  };

  return {
    url: server.url,
    server,
    accountSid,
    authToken,
    phoneNumber,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    addMedia,
    async deliverSms(body, d = {}) {
      const messageSid = d.messageSid ?? `${d.media?.length ? 'MM' : 'SM'}${hex(16)}`;
      const items = d.media ?? [];
      const params: Record<string, string | string[]> = {
        ToCountry: 'US',
        SmsMessageSid: messageSid,
        NumMedia: String(items.length),
        SmsSid: messageSid,
        SmsStatus: 'received',
        Body: body,
        To: phoneNumber,
        NumSegments: '1',
        MessageSid: messageSid,
        AccountSid: accountSid,
        From: d.from ?? '+15551230000',
        ApiVersion: '2010-04-01',
      };
      items.forEach((item, i) => {
        params[`MediaUrl${i}`] = addMedia(item.bytes, item.mime);
        params[`MediaContentType${i}`] = item.mime;
      });
      Object.assign(params, d.extra);
      const result = await postTwilioWebhook(requireWebhook(), params, {
        authToken,
        retries: d.retries ?? 2,
        ...(d.signedUrl === undefined ? {} : { signedUrl: d.signedUrl }),
        ...(d.headers === undefined ? {} : { headers: d.headers }),
        ...(d.signature === undefined ? {} : { signature: d.signature }),
      });
      return { ...result, messageSid };
    },
    async sendStatus(sid, status, errorCode) {
      const message = sent.find((m) => m.sid === sid);
      if (message?.statusCallback === undefined) {
        throw new Error(`FakeTwilio: message ${sid} was sent without a StatusCallback`);
      }
      return postTwilioWebhook(
        message.statusCallback,
        {
          MessageSid: sid,
          SmsSid: sid,
          MessageStatus: status,
          SmsStatus: status,
          AccountSid: accountSid,
          From: message.from,
          To: message.chatId,
          ApiVersion: '2010-04-01',
          ...(errorCode === undefined ? {} : { ErrorCode: errorCode }),
        },
        { authToken, retries: 2 },
      );
    },
    async sentMessages() {
      await Promise.all(fetches);
      return [...sent];
    },
    rateLimitNextSend(retryAfterSeconds, count = 1) {
      server.faults.next(
        {
          kind: 'rate-limit',
          retryAfterSeconds,
          body: {
            code: 20429,
            message: 'Too Many Requests',
            more_info: 'https://www.twilio.com/docs/errors/20429',
            status: 429,
          },
        },
        count,
        { method: 'POST', path: /\/Messages\.json$/ },
      );
    },
    close: () => server.close(),
  };
}

/** A free TCP port on 127.0.0.1, so a test can name SMS_WEBHOOK_URL before the adapter binds it. */
export const pickFreePort: () => Promise<number> = freePort;
