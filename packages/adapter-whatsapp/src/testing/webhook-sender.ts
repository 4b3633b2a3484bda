import { request } from 'node:http';
import { whatsappSignature } from '../webhook/signature.js';

/** How one delivery attempt is broken on purpose, to test that nothing is lost or doubled. */
export type DeliveryFault =
  /** The connection is cut halfway through the body: the server never gets the whole request. */
  | 'cut-request'
  /** The whole request is sent, then the connection is cut before the answer is read. */
  | 'lose-response';

export interface WebhookAttempt {
  /** HTTP status, or undefined when the attempt was cut. */
  status: number | undefined;
  body: string;
}

export interface SendWebhookOptions {
  /** Signs the body with X-Hub-Signature-256; omit to send it unsigned. */
  appSecret?: string;
  /** A signature header to send as is (for bad-signature tests); wins over appSecret. */
  signature?: string;
  headers?: Record<string, string>;
  fault?: DeliveryFault;
  timeoutMs?: number;
}

/**
 * POSTs one webhook body the way Meta does (JSON, `X-Hub-Signature-256: sha256=<hmac>`) over node:http, so
 * a fault can cut the request or lose the answer at an exact point. Every attempt is bounded in time.
 */
export function sendWhatsappWebhook(
  url: string,
  body: string | Buffer,
  o: SendWebhookOptions = {},
): Promise<WebhookAttempt> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(bytes.length),
    'user-agent': 'facebookexternalua',
    ...o.headers,
  };
  const signature =
    o.signature ?? (o.appSecret === undefined ? undefined : whatsappSignature(o.appSecret, bytes));
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers, timeout: o.timeoutMs ?? 10_000, agent: false },
      (res) => {
        if (o.fault === 'lose-response') {
          res.destroy();
          resolve({ status: undefined, body: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => resolve({ status: undefined, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`webhook POST to ${url} timed out`)));
    req.on('error', (error) => {
      if (o.fault !== undefined) resolve({ status: undefined, body: '' });
      else reject(error);
    });
    if (o.fault === 'cut-request') {
      req.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      // Let the half body reach the server before the cut.
      setTimeout(() => req.destroy(), 5);
      return;
    }
    req.end(bytes);
  });
}

export interface MetaRetryOptions extends Omit<SendWebhookOptions, 'fault'> {
  /** Attempts before giving up (Meta keeps trying for days; tests need a bound). Default 20. */
  maxAttempts?: number;
  /** Wait before retry n is `baseDelayMs * n` (Meta backs off too, with longer delays). Default 5 ms. */
  baseDelayMs?: number;
  /** Chooses a fault for each attempt (e.g. at random); default none. */
  faultFor?(attempt: number): DeliveryFault | undefined;
}

/**
 * Delivers one body the way Meta does: retried until the endpoint answers 200, with growing delays.
 * Resolves with the number of attempts it took; rejects after `maxAttempts`.
 */
export async function deliverWithMetaRetries(
  url: string,
  body: string,
  o: MetaRetryOptions = {},
): Promise<number> {
  const max = o.maxAttempts ?? 20;
  let last: WebhookAttempt | undefined;
  for (let attempt = 1; attempt <= max; attempt++) {
    const fault = o.faultFor?.(attempt);
    last = await sendWhatsappWebhook(url, body, { ...o, ...(fault ? { fault } : {}) });
    if (last.status === 200) return attempt;
    await new Promise((resolve) => setTimeout(resolve, (o.baseDelayMs ?? 5) * attempt));
  }
  throw new Error(
    `webhook not accepted after ${max} attempts (last answer: ${last?.status ?? 'connection cut'} ${last?.body ?? ''})`,
  );
}
