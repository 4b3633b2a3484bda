import { describe, expect, it } from 'vitest';
import { cleanSlackText, threadCommandAlias } from './inbound-text.js';

describe('cleanSlackText', () => {
  it('strips every mention of the bot and reports it', () => {
    expect(cleanSlackText('<@UBOT> hello', 'UBOT')).toEqual({ text: 'hello', mentionsBot: true });
    expect(cleanSlackText('hey <@UBOT> do x', 'UBOT')).toEqual({ text: 'hey do x', mentionsBot: true });
    expect(cleanSlackText('<@UBOT|hermes>, please', 'UBOT')).toEqual({ text: 'please', mentionsBot: true });
    expect(cleanSlackText('ask <@UOTHER>', 'UBOT')).toEqual({ text: 'ask @UOTHER', mentionsBot: false });
  });

  it('turns links, channels and broadcasts into words and decodes the three entities', () => {
    expect(cleanSlackText('<https://a.b/c?d=1&amp;e=2|docs> and <https://x.y>', 'UBOT').text).toBe(
      'docs (https://a.b/c?d=1&e=2) and https://x.y',
    );
    expect(
      cleanSlackText('<#C1|general> <!channel> <!subteam^S1|@devs> <mailto:a@b.c|a@b.c>', undefined).text,
    ).toBe('#general @channel @devs a@b.c');
    expect(cleanSlackText('1 &lt; 2 &amp;&amp; 3 &gt; 2; literal &amp;lt;', undefined).text).toBe(
      '1 < 2 && 3 > 2; literal &lt;',
    );
  });

  it('keeps code indentation', () => {
    expect(cleanSlackText('<@UBOT> ```\n  indented\n    more\n```', 'UBOT').text).toBe(
      '```\n  indented\n    more\n```',
    );
  });
});

describe('threadCommandAlias', () => {
  it('turns a leading !word into /word and nothing else', () => {
    expect(threadCommandAlias('!status')).toBe('/status');
    expect(threadCommandAlias('!model gpt-x --global')).toBe('/model gpt-x --global');
    expect(threadCommandAlias('!!!')).toBe('!!!');
    expect(threadCommandAlias('wow!status')).toBe('wow!status');
    expect(threadCommandAlias('!1abc')).toBe('!1abc');
    expect(threadCommandAlias('!important: read this')).toBe('!important: read this');
  });
});
