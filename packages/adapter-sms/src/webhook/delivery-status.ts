import { RecentMap } from '@hermes/adapter-core';
import type { TwilioParams } from '../twilio-params.js';

/** The last delivery state Twilio reported for a message we sent. */
export interface SmsDeliveryStatus {
  messageSid: string;
  /** queued, sending, sent, delivered, undelivered, failed, read… as Twilio names them. */
  status: string;
  /** Twilio's error code for undelivered/failed (30003 unreachable, 30007 carrier filtered…). */
  errorCode?: string;
  at: number;
}

// Twilio may post callbacks out of order; a later stage never goes back to an earlier one.
const RANK: Record<string, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  undelivered: 6,
  failed: 6,
  canceled: 6,
};

export type StatusUpdate = { ok: true; status: SmsDeliveryStatus } | { ok: false; problem: string };

/** Delivery status callbacks, remembered per message sid (bounded: the newest 10,000 messages). */
export class DeliveryStatusBook {
  readonly #book = new RecentMap<SmsDeliveryStatus>(10_000);
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(params: TwilioParams): StatusUpdate {
    const sid = params['MessageSid'];
    const status = params['MessageStatus'] ?? params['SmsStatus'];
    if (typeof sid !== 'string' || sid === '' || typeof status !== 'string' || status === '') {
      return { ok: false, problem: 'a status callback needs one MessageSid and one MessageStatus' };
    }
    const errorCode = params['ErrorCode'];
    const next: SmsDeliveryStatus = {
      messageSid: sid,
      status,
      ...(typeof errorCode === 'string' && errorCode !== '' ? { errorCode } : {}),
      at: this.#now(),
    };
    const previous = this.#book.get(sid);
    if (previous && (RANK[previous.status] ?? 0) > (RANK[status] ?? 0)) return { ok: true, status: previous };
    this.#book.set(sid, next);
    return { ok: true, status: next };
  }

  get(sid: string): SmsDeliveryStatus | undefined {
    return this.#book.get(sid);
  }
}
