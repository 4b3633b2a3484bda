import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, DEFAULT_GRAPH_API_BASE } from './config.js';
import { whatsappDescriptor } from './descriptor.js';

const required = {
  WHATSAPP_ENABLED: 'true',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_ACCESS_TOKEN: 'EAAG-token',
  WHATSAPP_APP_SECRET: 'app-secret',
  WHATSAPP_VERIFY_TOKEN: 'verify-me',
};

describe('whatsapp configFromEnv', () => {
  it('reads the Hermes env var names, with the documented defaults', () => {
    const config = configFromEnv({
      ...required,
      WHATSAPP_ALLOWED_USERS: '+1 555 010 2000, 15550103000,,',
      WHATSAPP_HOME_CHANNEL: '15550102000',
      WHATSAPP_TEMPLATE_NAME: 'hermes_update',
    });
    expect(config).toMatchObject({
      phoneNumberId: '106540352242922',
      accessToken: 'EAAG-token',
      appSecret: 'app-secret',
      verifyToken: 'verify-me',
      webhookHost: '127.0.0.1',
      webhookPort: 8090,
      webhookPath: '/whatsapp/webhook',
      graphApiBase: DEFAULT_GRAPH_API_BASE,
      allowedUsers: ['+1 555 010 2000', '15550103000'],
      homeChannel: '15550102000',
      templateName: 'hermes_update',
      templateLanguage: 'en_US',
    });
    expect(DEFAULT_GRAPH_API_BASE).toBe('https://graph.facebook.com/v21.0');
  });

  it('lets env override config.yaml (snake_case keys and the extra block) and keeps what env does not set', () => {
    const config = configFromEnv(
      { ...required, WHATSAPP_WEBHOOK_PORT: '9000' },
      {
        webhook_host: '0.0.0.0',
        extra: { template_language: 'de' },
        allowed_users: ['15550001111'],
        webhook_port: 7000,
      },
    );
    expect(config.webhookPort).toBe(9000);
    expect(config.webhookHost).toBe('0.0.0.0');
    expect(config.templateLanguage).toBe('de');
    expect(config.allowedUsers).toEqual(['15550001111']);
  });

  it('names the missing variables, and a port that is not a number', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    const error = (() => {
      try {
        configFromEnv({ WHATSAPP_ACCESS_TOKEN: 't' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toMatch(
      /phoneNumberId \(WHATSAPP_PHONE_NUMBER_ID\) is missing: set WHATSAPP_PHONE_NUMBER_ID/,
    );
    expect((error as AdapterError).fix).toMatch(/WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_VERIFY_TOKEN/);
    expect(() => configFromEnv({ ...required, WHATSAPP_WEBHOOK_PORT: 'eighty' })).toThrow(/webhookPort/);
    expect(() => configFromEnv({ ...required, WHATSAPP_PHONE_NUMBER_ID: '+1 555 0100' })).toThrow(
      /numeric phone number ID/,
    );
  });
});

describe('whatsapp descriptor', () => {
  it('is enabled by WHATSAPP_ENABLED with the four credentials, all secrets redacted', () => {
    expect(whatsappDescriptor.requiredEnv).toEqual(Object.keys(required));
    expect(whatsappDescriptor.secretEnv).toEqual([
      'WHATSAPP_ACCESS_TOKEN',
      'WHATSAPP_APP_SECRET',
      'WHATSAPP_VERIFY_TOKEN',
    ]);
    expect(whatsappDescriptor.kind).toBe('chat');
  });

  it('normalizes phone numbers and Baileys JIDs to the wa_id digits', () => {
    const n = whatsappDescriptor.normalizeUserId!;
    expect(n('+1 (555) 010-2000')).toBe('15550102000');
    expect(n('whatsapp:+15550102000')).toBe('15550102000');
    expect(n('15550102000@s.whatsapp.net')).toBe('15550102000');
    expect(n(' 15550102000 ')).toBe('15550102000');
    expect(n('Y2FwaV9ncm91cDox')).toBe('Y2FwaV9ncm91cDox');
  });
});
