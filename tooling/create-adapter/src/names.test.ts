import { describe, expect, it } from 'vitest';
import { derivePlatformNames, envPrefixProblem, labelProblem, nameProblem } from './names.mjs';

describe('derivePlatformNames', () => {
  it('derives every casing from a multi-word name', () => {
    expect(derivePlatformNames('home-assistant')).toEqual({
      kebab: 'home-assistant',
      id: 'home_assistant',
      pascal: 'HomeAssistant',
      camel: 'homeAssistant',
      constant: 'HOME_ASSISTANT',
      envPrefix: 'HOME_ASSISTANT',
      label: 'Home Assistant',
      packageName: '@hermes/adapter-home-assistant',
      folderName: 'adapter-home-assistant',
    });
  });

  it('keeps digits where they are', () => {
    const names = derivePlatformNames('x2-chat3');
    expect(names.pascal).toBe('X2Chat3');
    expect(names.camel).toBe('x2Chat3');
    expect(names.constant).toBe('X2_CHAT3');
    const digitWord = derivePlatformNames('matrix-2');
    expect(digitWord.pascal).toBe('Matrix2');
    expect(digitWord.constant).toBe('MATRIX_2');
  });

  it('takes an env prefix that differs from the name (Python Hermes uses HASS_ for Home Assistant)', () => {
    const names = derivePlatformNames('home-assistant', { envPrefix: 'HASS', label: 'Home Assistant (HA)' });
    expect(names.envPrefix).toBe('HASS');
    expect(names.constant).toBe('HOME_ASSISTANT');
    expect(names.label).toBe('Home Assistant (HA)');
  });

  it('refuses names it cannot turn into identifiers and says what to type', () => {
    expect(() => derivePlatformNames('Slack')).toThrow(/lowercase letters, digits and single dashes/);
    expect(() => derivePlatformNames('2chat')).toThrow(/starting with a letter/);
    expect(() => derivePlatformNames('adapter-slack')).toThrow(/pass only the platform part \("slack"\)/);
    expect(() => derivePlatformNames('a', { envPrefix: 'lower' })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => derivePlatformNames('a', { label: "it's `bad`" })).toThrow(/not a usable label/);
  });
});

describe('nameProblem', () => {
  it.each(['slack', 'google-chat', 'x2', 'a-1-b'])('accepts %s', (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

  it.each([
    '',
    'Slack',
    'google_chat',
    'google--chat',
    '-slack',
    'slack-',
    'sl ack',
    'slack/evil',
    `a${'b'.repeat(40)}`,
  ])('refuses %j', (name) => {
    expect(nameProblem(name)).toEqual(expect.any(String));
  });

  it('accepts UPPER_SNAKE prefixes only', () => {
    expect(envPrefixProblem('HASS')).toBeUndefined();
    expect(envPrefixProblem('API_SERVER')).toBeUndefined();
    expect(envPrefixProblem('Hass')).toEqual(expect.any(String));
    expect(envPrefixProblem('_X')).toEqual(expect.any(String));
  });

  it('accepts ordinary labels', () => {
    expect(labelProblem('Rocket.Chat')).toBeUndefined();
    expect(labelProblem('企业微信')).toBeUndefined();
    expect(labelProblem('Evil `label`')).toEqual(expect.any(String));
    expect(labelProblem("O'Reilly")).toEqual(expect.any(String));
  });
});
