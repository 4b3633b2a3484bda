import { describe, expect, it } from 'vitest';
import { createAgent } from './agent.js';
import { agentOptionsFromEnv } from './env.js';
import { resolveModelConfig } from './model-config.js';

describe('agentOptionsFromEnv', () => {
  it('reads the model variables and ignores empty ones', () => {
    expect(
      agentOptionsFromEnv({
        OPENAI_BASE_URL: ' http://127.0.0.1:11434/v1 ',
        OPENAI_API_KEY: '',
        HERMES_MODEL: 'llama3',
        HERMES_MAX_ITERATIONS: '30',
        HERMES_REQUEST_TIMEOUT_SECONDS: '45',
        HERMES_REASONING_EFFORT: 'High',
      }),
    ).toEqual({
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
      maxToolIterations: 30,
      requestTimeoutMs: 45_000,
      reasoningEffort: 'high',
    });
    expect(agentOptionsFromEnv({})).toEqual({});
  });

  it('names the variable when a value is malformed', () => {
    expect(() => agentOptionsFromEnv({ HERMES_MAX_ITERATIONS: 'lots' })).toThrow(/HERMES_MAX_ITERATIONS/);
    expect(() => agentOptionsFromEnv({ HERMES_REASONING_EFFORT: 'ultra' })).toThrow(
      /HERMES_REASONING_EFFORT/,
    );
  });

  it('an empty environment gives an unconfigured agent, a key and model give a configured one', () => {
    expect(createAgent(agentOptionsFromEnv({})).configured).toBe(false);
    const agent = createAgent(agentOptionsFromEnv({ OPENAI_API_KEY: 'sk-x', HERMES_MODEL: 'gpt-4.1-mini' }));
    expect(agent.configured).toBe(true);
    expect(agent.model).toBe('gpt-4.1-mini');
  });
});

describe('resolveModelConfig', () => {
  it('defaults to the OpenAI endpoint with a key, and a placeholder key with only a base URL', () => {
    expect(resolveModelConfig({ apiKey: 'sk', model: 'm' })).toMatchObject({
      configured: true,
      baseURL: 'https://api.openai.com/v1',
    });
    expect(resolveModelConfig({ baseURL: 'http://127.0.0.1:1/v1', model: 'm' })).toMatchObject({
      configured: true,
      apiKey: 'not-needed',
    });
    expect(resolveModelConfig({ model: 'm' })).toMatchObject({
      configured: false,
      missing: ['OPENAI_API_KEY or OPENAI_BASE_URL'],
    });
  });
});
