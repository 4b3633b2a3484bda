import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { smsDescriptor } from './descriptor.js';
import { normalizeSmsNumber } from './phone.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const BASE = {
  TWILIO_ACCOUNT_SID: SID,
  TWILIO_AUTH_TOKEN: 'tok-secret',
  TWILIO_PHONE_NUMBER: '+15005550006',
};

describe('sms configFromEnv', () => {
  it('reads the Hermes env var names with their defaults', () => {
    const config = configFromEnv({
      ...BASE,
      SMS_WEBHOOK_URL: 'https://hooks.example.com/webhooks/twilio',
      SMS_WEBHOOK_PORT: '9090',
      SMS_ALLOWED_USERS: '+15551230000, +44 20 7946 0958,,',
      SMS_HOME_CHANNEL: '+1 (555) 123-0000',
      TWILIO_API_BASE: 'http://127.0.0.1:4010',
    });
    expect(config).toMatchObject({
      accountSid: SID,
      authToken: 'tok-secret',
      phoneNumber: '+15005550006',
      webhookUrl: 'https://hooks.example.com/webhooks/twilio',
      webhookHost: '127.0.0.1',
      webhookPort: 9090,
      apiBase: 'http://127.0.0.1:4010',
      allowedUsers: ['+15551230000', '+44 20 7946 0958'],
      homeChannel: '+15551230000',
      trustProxy: false,
    });
    expect(configFromEnv(BASE)).toMatchObject({ webhookPort: 8080, apiBase: 'https://api.twilio.com' });
  });

  it('lets env override config.yaml and keeps file values env does not set', () => {
    const config = configFromEnv(
      { ...BASE, TWILIO_PHONE_NUMBER: '+15005550009' },
      { phoneNumber: '+15005550001', webhookHost: '0.0.0.0' },
    );
    expect(config.phoneNumber).toBe('+15005550009');
    expect(config.webhookHost).toBe('0.0.0.0');
  });

  it('refuses to start without the auth token, naming TWILIO_AUTH_TOKEN', () => {
    const { TWILIO_AUTH_TOKEN: _token, ...withoutToken } = BASE;
    expect(() => configFromEnv(withoutToken)).toThrow(AdapterError);
    expect(() => configFromEnv(withoutToken)).toThrow(/authToken \(TWILIO_AUTH_TOKEN\) is missing/);
    try {
      configFromEnv(withoutToken);
    } catch (error) {
      expect((error as AdapterError).code).toBe('config_invalid');
      expect((error as AdapterError).fix).toContain('TWILIO_AUTH_TOKEN');
    }
  });

  it('names the variable of each bad value', () => {
    expect(() => configFromEnv({ ...BASE, TWILIO_ACCOUNT_SID: 'nope' })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => configFromEnv({ ...BASE, TWILIO_PHONE_NUMBER: 'HERMES' })).toThrow(
      /TWILIO_PHONE_NUMBER.*E\.164/,
    );
    expect(() => configFromEnv({ ...BASE, SMS_WEBHOOK_PORT: 'eighty' })).toThrow(/SMS_WEBHOOK_PORT/);
    expect(() => configFromEnv({ ...BASE, SMS_WEBHOOK_URL: 'ftp://x' })).toThrow(/SMS_WEBHOOK_URL/);
  });
});

describe('normalizeSmsNumber (the descriptor id rule)', () => {
  it.each([
    ['+1 (555) 123-0000', '+15551230000'],
    ['0015551230000', '+15551230000'],
    ['tel:+15551230000', '+15551230000'],
    ['15551230000', '+15551230000'],
    [' +44 20 7946 0958 ', '+442079460958'],
    ['HERMES', 'HERMES'],
    ['12345', '12345'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeSmsNumber(input)).toBe(expected);
    expect(smsDescriptor.normalizeUserId?.(input)).toBe(expected);
  });

  it('the descriptor lists the enabling and secret variables', () => {
    expect(smsDescriptor.requiredEnv).toEqual([
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
      'TWILIO_PHONE_NUMBER',
    ]);
    expect(smsDescriptor.secretEnv).toEqual(['TWILIO_AUTH_TOKEN']);
    expect(smsDescriptor.kind).toBe('chat');
  });
});
