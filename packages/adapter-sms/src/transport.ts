import type twilio from 'twilio';
import type { SmsConfig } from './config.js';
import { createTwilioRest, TwilioApiClient } from './twilio-client.js';

/** One outgoing SMS/MMS as Messages.json takes it. */
export interface SmsOutgoing {
  to: string;
  body?: string;
  /** Public URLs Twilio fetches for an MMS. */
  mediaUrl?: string[];
  /** Where Twilio posts delivery status updates for this message. */
  statusCallback?: string;
}

/** The account behind the credentials: probe() reports it. */
export interface SmsIdentity {
  accountSid: string;
  friendlyName?: string;
  status?: string;
}

/**
 * The REST side of Twilio, through the official SDK pointed at `config.apiBase`. Errors come out as
 * AdapterErrors (twilio-client.ts); nothing here retries: the send pacer does, and never after an
 * ambiguous failure.
 */
export class SmsTransport {
  readonly #http: TwilioApiClient;
  readonly #rest: twilio.Twilio;
  readonly #from: string;
  readonly #accountSid: string;

  constructor(config: SmsConfig) {
    this.#http = new TwilioApiClient(config.apiBase);
    this.#rest = createTwilioRest(config.accountSid, config.authToken, this.#http);
    this.#from = config.phoneNumber;
    this.#accountSid = config.accountSid;
  }

  /** `POST /2010-04-01/Accounts/{sid}/Messages.json`; resolves with the new message's sid. */
  async send(message: SmsOutgoing): Promise<{ sid: string; status: string }> {
    const created = await this.#rest.messages.create({
      to: message.to,
      from: this.#from,
      ...(message.body === undefined ? {} : { body: message.body }),
      ...(message.mediaUrl === undefined ? {} : { mediaUrl: message.mediaUrl }),
      ...(message.statusCallback === undefined ? {} : { statusCallback: message.statusCallback }),
    });
    return { sid: created.sid, status: String(created.status) };
  }

  /** `GET /2010-04-01/Accounts/{sid}.json`: one cheap authenticated call. */
  async whoAmI(): Promise<SmsIdentity> {
    const account = await this.#rest.api.v2010.accounts(this.#accountSid).fetch();
    return {
      accountSid: account.sid,
      ...(account.friendlyName ? { friendlyName: account.friendlyName } : {}),
      ...(account.status ? { status: String(account.status) } : {}),
    };
  }

  /** Closes the pooled REST sockets. */
  close(): void {
    this.#http.close();
  }
}
