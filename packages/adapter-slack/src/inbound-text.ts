/**
 * Slack sends message text in its own markup: `<@U123>` user mentions, `<#C123|name>` channels,
 * `<!here>` broadcasts, `<url|label>` links, and `& < >` as entities. The host and the agent want plain
 * words, with the bot's own mention gone.
 */

export interface CleanedSlackText {
  text: string;
  mentionsBot: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeEntities(s: string): string {
  // &amp; last, so "&amp;lt;" stays the literal text "&lt;".
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function rewriteToken(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : '';
  if (target.startsWith('@')) return label ? `@${label}` : target;
  if (target.startsWith('#')) return label ? `#${label}` : target;
  if (target.startsWith('!')) {
    if (label) return label;
    const word = target.slice(1).split('^')[0] ?? '';
    return `@${word}`;
  }
  if (target.startsWith('mailto:')) return label || target.slice('mailto:'.length);
  if (!label || label === target) return target;
  return `${label} (${target})`;
}

/** Removes every mention of the bot and rewrites the rest of Slack's markup into plain text. */
export function cleanSlackText(raw: string, botUserId: string | undefined): CleanedSlackText {
  let text = raw;
  let mentionsBot = false;
  if (botUserId) {
    // The mention and one space after it go, so "hey <@B> do x" reads "hey do x"; other spacing is kept
    // because it may be code indentation.
    const mention = new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^>]*)?>[ \\t]?`, 'g');
    text = text.replace(mention, () => {
      mentionsBot = true;
      return '';
    });
    if (mentionsBot) text = text.replace(/^\s*[,:]\s*/, '');
  }
  text = text.replace(/<([^<>\s][^<>]*)>/g, (_m, inner: string) => rewriteToken(inner));
  text = decodeEntities(text).trim();
  return { text, mentionsBot };
}

/**
 * Slack does not run slash commands inside threads, so Hermes users type `!status` there. The host only
 * knows `/status`: the leading `!word` becomes `/word`. Anything else is left alone.
 */
export function threadCommandAlias(text: string): string {
  return text.replace(/^!([A-Za-z][\w-]*)(?=\s|$)/, '/$1');
}
