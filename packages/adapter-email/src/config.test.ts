import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, defaultSecurityForPort, parseEmailConfig, resolvedSecurity } from './config.js';
import { emailDescriptor, normalizeEmailUserId } from './descriptor.js';

const required = {
  EMAIL_ADDRESS: 'bot@example.com',
  EMAIL_PASSWORD: 'app-password',
  EMAIL_IMAP_HOST: 'imap.example.com',
  EMAIL_SMTP_HOST: 'smtp.example.com',
};

describe('email configFromEnv', () => {
  it('reads the Hermes env var names, with the ports and security defaulting like the Python gateway', () => {
    const config = configFromEnv({
      ...required,
      EMAIL_ALLOWED_USERS: 'Alice@Example.com, bob@example.com,,',
      EMAIL_ALLOW_ALL_USERS: 'false',
      EMAIL_HOME_ADDRESS: 'ops@example.com',
      EMAIL_POLL_INTERVAL: '30',
    });
    expect(config).toMatchObject({
      address: 'bot@example.com',
      password: 'app-password',
      imapHost: 'imap.example.com',
      imapPort: 993,
      smtpHost: 'smtp.example.com',
      smtpPort: 587,
      allowedUsers: ['Alice@Example.com', 'bob@example.com'],
      allowAllUsers: false,
      homeChannel: 'ops@example.com',
      pollIntervalMs: 30_000,
    });
    expect(resolvedSecurity(config, 'imap')).toBe('tls');
    expect(resolvedSecurity(config, 'smtp')).toBe('starttls');
  });

  it('defaults security by port: 993/465 implicit TLS, anything else STARTTLS (required), never none', () => {
    expect([993, 465, 143, 587, 25, 2525].map(defaultSecurityForPort)).toEqual([
      'tls',
      'tls',
      'starttls',
      'starttls',
      'starttls',
      'starttls',
    ]);
    const config = configFromEnv({ ...required, EMAIL_IMAP_PORT: '143', EMAIL_SMTP_PORT: '465' });
    expect(resolvedSecurity(config, 'imap')).toBe('starttls');
    expect(resolvedSecurity(config, 'smtp')).toBe('tls');
  });

  it('takes an explicit security, in any case, and refuses an unknown one by name', () => {
    const config = configFromEnv({ ...required, EMAIL_IMAP_SECURITY: 'NONE', EMAIL_SMTP_SECURITY: 'tls' });
    expect(resolvedSecurity(config, 'imap')).toBe('none');
    expect(resolvedSecurity(config, 'smtp')).toBe('tls');
    expect(() => configFromEnv({ ...required, EMAIL_SMTP_SECURITY: 'ssl' })).toThrow(
      /smtpSecurity must be tls, starttls or none/,
    );
  });

  it('lets env override config.yaml and keeps file values env does not set', () => {
    const config = configFromEnv(
      { ...required, EMAIL_IMAP_HOST: 'imap.from-env.example' },
      { imapHost: 'imap.from-file.example', allowedUsers: ['carol@example.com'], smtpPort: 2525 },
    );
    expect(config.imapHost).toBe('imap.from-env.example');
    expect(config.allowedUsers).toEqual(['carol@example.com']);
    expect(config.smtpPort).toBe(2525);
  });

  it('names every missing variable, and a bad number by its variable', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({})).toThrow(/address .*EMAIL_ADDRESS.*password .*EMAIL_PASSWORD/);
    expect(() => configFromEnv({ ...required, EMAIL_IMAP_PORT: 'nine' })).toThrow(
      /EMAIL_IMAP_PORT must be a number, got "nine"/,
    );
    expect(() => parseEmailConfig({ ...required, address: 'not-an-address' })).toThrow(
      /address must be an email/,
    );
  });

  it('descriptor: enabled by address, password and both hosts; the password is the secret; ids compared in lower case', () => {
    expect(emailDescriptor.requiredEnv).toEqual([
      'EMAIL_ADDRESS',
      'EMAIL_PASSWORD',
      'EMAIL_IMAP_HOST',
      'EMAIL_SMTP_HOST',
    ]);
    expect(emailDescriptor.secretEnv).toEqual(['EMAIL_PASSWORD']);
    expect(emailDescriptor.homeChannelEnv).toBe('EMAIL_HOME_ADDRESS');
    expect(emailDescriptor.kind).toBe('chat');
    expect(
      ['Alice@Example.COM', ' mailto:alice@example.com ', '<ALICE@example.com>'].map(normalizeEmailUserId),
    ).toEqual(['alice@example.com', 'alice@example.com', 'alice@example.com']);
  });
});
