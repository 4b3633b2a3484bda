import type { MediaKind } from '@hermes/adapter-core';

/** A file or image the message carries, downloaded later through messages/{id}/resources/{key}. */
export interface FeishuResourceRef {
  key: string;
  /** The `type` query parameter of the resource API. */
  type: 'image' | 'file';
  kind: MediaKind;
  name?: string;
  durationMs?: number;
}

export interface FeishuMention {
  key?: string;
  id?: { open_id?: string; user_id?: string; union_id?: string };
  name?: string;
}

export interface BotIdentity {
  openId?: string;
  userId?: string;
  name?: string;
}

export interface ParsedContent {
  text: string;
  resources: FeishuResourceRef[];
  mentionsBot: boolean;
}

export function isBotMention(mention: FeishuMention, bot: BotIdentity): boolean {
  if (bot.openId && mention.id?.open_id === bot.openId) return true;
  if (bot.userId && mention.id?.user_id === bot.userId) return true;
  // Without an id to compare (bot/v3/info unavailable), the configured bot name is the only clue.
  return !bot.openId && !bot.userId && bot.name !== undefined && mention.name === bot.name;
}

/** `@_user_N` placeholders: the bot's are removed, anyone else's become `@name`. */
function resolveMentions(
  text: string,
  mentions: FeishuMention[],
  bot: BotIdentity,
): { text: string; mentionsBot: boolean } {
  let mentionsBot = false;
  let out = text;
  for (const mention of mentions) {
    if (!mention.key) continue;
    const self = isBotMention(mention, bot);
    if (self) mentionsBot = true;
    out = out.split(mention.key).join(self ? '' : `@${mention.name ?? 'someone'}`);
  }
  out = out.replace(/@_all\b/g, '@all');
  return { text: out.replace(/[ \t]{2,}/g, ' ').trim(), mentionsBot };
}

interface PostElement {
  tag?: string;
  text?: string;
  href?: string;
  user_id?: string;
  user_name?: string;
  image_key?: string;
  file_key?: string;
  language?: string;
  emoji_type?: string;
  style?: string[];
}

interface PostBody {
  title?: string;
  content?: PostElement[][];
}

/** A received post is `{title, content}` or, from some clients, keyed by locale. */
function postBodyOf(content: Record<string, unknown>): PostBody {
  if (Array.isArray(content['content'])) return content as PostBody;
  for (const value of Object.values(content)) {
    if (value && typeof value === 'object' && Array.isArray((value as PostBody).content))
      return value as PostBody;
  }
  return {};
}

function styled(text: string, style: string[] | undefined): string {
  if (!style || text.trim() === '') return text;
  // Markdown emphasis must hug the words, so surrounding spaces stay outside the markers.
  const [, lead = '', core = '', trail = ''] = /^(\s*)(.*?)(\s*)$/s.exec(text) ?? [];
  let out = core;
  if (style.includes('bold')) out = `**${out}**`;
  if (style.includes('italic')) out = `*${out}*`;
  if (style.includes('lineThrough')) out = `~~${out}~~`;
  return `${lead}${out}${trail}`;
}

/** Rich text → Markdown; embedded images and media become resources. */
function flattenPost(post: PostBody, mentions: FeishuMention[], bot: BotIdentity): ParsedContent {
  const resources: FeishuResourceRef[] = [];
  let mentionsBot = false;
  const lines: string[] = [];
  for (const paragraph of post.content ?? []) {
    const parts: string[] = [];
    for (const el of paragraph) {
      switch (el.tag) {
        case 'text':
          parts.push(styled(el.text ?? '', el.style));
          break;
        case 'a':
          parts.push(el.href ? `[${el.text ?? el.href}](${el.href})` : (el.text ?? ''));
          break;
        case 'at': {
          const mention = mentions.find((m) => m.key === el.user_id) ?? {
            id: { open_id: el.user_id ?? '' },
            ...(el.user_name ? { name: el.user_name } : {}),
          };
          if (isBotMention(mention, bot) || (bot.openId !== undefined && el.user_id === bot.openId))
            mentionsBot = true;
          else parts.push(`@${el.user_name ?? mention.name ?? 'someone'}`);
          break;
        }
        case 'img':
          if (el.image_key) resources.push({ key: el.image_key, type: 'image', kind: 'image' });
          break;
        case 'media':
          if (el.file_key) resources.push({ key: el.file_key, type: 'file', kind: 'video' });
          break;
        case 'code_block':
          parts.push(`\n\`\`\`${el.language?.toLowerCase() ?? ''}\n${el.text ?? ''}\n\`\`\`\n`);
          break;
        case 'md':
          parts.push(el.text ?? '');
          break;
        case 'emotion':
          parts.push(`:${el.emoji_type ?? 'emoji'}:`);
          break;
        case 'hr':
          parts.push('\n---\n');
          break;
        default:
          if (el.text) parts.push(el.text);
      }
    }
    lines.push(
      parts
        .join('')
        .replace(/[ \t]{2,}/g, ' ')
        .trim(),
    );
  }
  const body = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const title = post.title?.trim();
  return { text: title ? `**${title}**\n\n${body}`.trim() : body, resources, mentionsBot };
}

interface CardElement {
  tag?: string;
  content?: string;
  text?: { content?: string } | string;
  elements?: CardElement[];
  fields?: Array<{ text?: { content?: string } }>;
}

/** An interactive card as a short text: its title and the readable text of its elements. */
function summariseCard(card: Record<string, unknown>): string {
  const header = card['header'] as { title?: { content?: string } } | undefined;
  const title = typeof card['title'] === 'string' ? card['title'] : header?.title?.content;
  const texts: string[] = [];
  const walk = (elements: unknown): void => {
    if (!Array.isArray(elements)) return;
    for (const raw of elements as Array<CardElement | CardElement[]>) {
      if (Array.isArray(raw)) {
        walk(raw);
        continue;
      }
      if (typeof raw.content === 'string') texts.push(raw.content);
      else if (typeof raw.text === 'string') texts.push(raw.text);
      else if (raw.text?.content) texts.push(raw.text.content);
      for (const f of raw.fields ?? []) if (f.text?.content) texts.push(f.text.content);
      walk(raw.elements);
    }
  };
  walk(card['elements'] ?? (card['body'] as { elements?: unknown } | undefined)?.elements);
  const body = texts.join('\n').trim();
  return `[card] ${[title, body].filter(Boolean).join('\n')}`.trim();
}

/** Parses `message.content` by `message_type`. Unknown types give undefined (the caller ignores them). */
export function parseFeishuContent(
  messageType: string,
  content: Record<string, unknown>,
  mentions: FeishuMention[],
  bot: BotIdentity,
): ParsedContent | undefined {
  const str = (key: string) => (typeof content[key] === 'string' ? (content[key] as string) : undefined);
  const plain = (text: string, resources: FeishuResourceRef[] = []): ParsedContent => ({
    text,
    resources,
    mentionsBot: false,
  });
  switch (messageType) {
    case 'text': {
      const { text, mentionsBot } = resolveMentions(str('text') ?? '', mentions, bot);
      return { text, resources: [], mentionsBot };
    }
    case 'post':
      return flattenPost(postBodyOf(content), mentions, bot);
    case 'image': {
      const key = str('image_key');
      return plain('', key ? [{ key, type: 'image', kind: 'image' }] : []);
    }
    case 'file': {
      const key = str('file_key');
      const name = str('file_name');
      return plain('', key ? [{ key, type: 'file', kind: 'file', ...(name ? { name } : {}) }] : []);
    }
    case 'audio': {
      const key = str('file_key');
      const duration = Number(content['duration']);
      return plain(
        '',
        key
          ? [
              {
                key,
                type: 'file',
                kind: 'voice',
                name: `${key}.opus`,
                ...(duration > 0 ? { durationMs: duration } : {}),
              },
            ]
          : [],
      );
    }
    case 'media': {
      const key = str('file_key');
      const name = str('file_name');
      return plain('', key ? [{ key, type: 'file', kind: 'video', ...(name ? { name } : {}) }] : []);
    }
    case 'sticker':
      // Feishu's resource API does not serve stickers; say what it was.
      return plain('[sticker]');
    case 'interactive':
      return plain(summariseCard(content));
    case 'share_chat':
      return plain(`[shared a group chat: ${str('chat_id') ?? 'unknown'}]`);
    case 'share_user':
      return plain(`[shared a contact: ${str('user_id') ?? 'unknown'}]`);
    case 'merge_forward':
      // Filled in by the adapter, which fetches the forwarded messages.
      return plain('[merged forward]');
    default:
      return undefined;
  }
}
