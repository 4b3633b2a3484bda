import { describe, expect, it } from 'vitest';
import { parseSlackConfig, slackConfigFromEnv } from './config.js';
import { slackDescriptor } from './descriptor.js';

const env = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_APP_TOKEN: 'xapp-1-def' };

describe('slack config', () => {
  it('reads the Hermes env var names with their defaults', () => {
    const c = slackConfigFromEnv(env);
    expect(c).toMatchObject({
      botToken: 'xoxb-1-abc',
      appToken: 'xapp-1-def',
      apiUrl: 'https://slack.com/api/',
      requireMention: true,
      replyInThread: true,
      maxMessageLength: 4_000,
      slashCommand: '/hermes',
      allowAllUsers: false,
    });
  });

  it('env wins over platforms.slack of config.yaml, and both spellings of keys work', () => {
    const c = slackConfigFromEnv(
      {
        ...env,
        SLACK_REQUIRE_MENTION: 'false',
        SLACK_ALLOWED_USERS: 'U1, U2',
        SLACK_HOME_CHANNEL: 'C9',
        SLACK_API_URL: 'http://127.0.0.1:9/api',
      },
      {
        require_mention: true,
        free_response_channels: ['C1', 'C2'],
        extra: { reply_in_thread: false, max_message_length: 8000 },
      },
    );
    expect(c).toMatchObject({
      requireMention: false,
      allowedUsers: ['U1', 'U2'],
      homeChannel: 'C9',
      apiUrl: 'http://127.0.0.1:9/api/',
      freeResponseChannels: ['C1', 'C2'],
      replyInThread: false,
      maxMessageLength: 8000,
    });
    expect(slackConfigFromEnv({ ...env, GATEWAY_ALLOW_ALL_USERS: 'true' }).allowAllUsers).toBe(true);
  });

  it('bad values come back as one config_invalid error naming the key, never the token', () => {
    const attempt = () =>
      slackConfigFromEnv({ SLACK_BOT_TOKEN: 'xoxb-secret-value', SLACK_APP_TOKEN: 'xoxb-secret-value' });
    expect(attempt).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).toMatch(/appToken/);
      expect(String((error as Error).message)).not.toContain('secret-value');
    }
    expect(() => slackConfigFromEnv({})).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => slackConfigFromEnv({ ...env, SLACK_MAX_MESSAGE_LENGTH: 'lots' })).toThrow(
      /SLACK_MAX_MESSAGE_LENGTH/,
    );
    expect(() => slackConfigFromEnv({ ...env, SLACK_MAX_MESSAGE_LENGTH: '50000' })).toThrow(
      /maxMessageLength/,
    );
    expect(() => parseSlackConfig({ botToken: 'xoxb-a', appToken: 'xapp-b', apiUrl: 'ftp://x' })).toThrow(
      /apiUrl/,
    );
  });

  it('the descriptor names the env vars the gateway needs and builds the adapter', () => {
    expect(slackDescriptor.requiredEnv).toEqual(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']);
    expect(slackDescriptor.secretEnv).toEqual(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']);
    expect(slackDescriptor.allowedUsersEnv).toBe('SLACK_ALLOWED_USERS');
    expect(slackDescriptor.allowAllUsersEnv).toBe('SLACK_ALLOW_ALL_USERS');
    expect(slackDescriptor.homeChannelEnv).toBe('SLACK_HOME_CHANNEL');
    const adapter = slackDescriptor.createAdapter(slackDescriptor.configFromEnv(env));
    expect(adapter.platform).toBe('slack');
    expect(adapter.capabilities.markdown).toBe('slack-mrkdwn');
    expect(slackDescriptor.configSchema.safeParse({}).success).toBe(false);
  });
});
