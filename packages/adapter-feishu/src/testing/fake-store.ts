/** What the fake Feishu remembers: messages, uploads, edits, reactions. Plain data, no I/O. */

export interface FakeStoredMessage {
  messageId: string;
  chatId: string;
  rootId?: string;
  parentId?: string;
  msgType: string;
  /** The content JSON string as the API carries it. */
  content: string;
  from: 'bot' | 'user';
  withdrawn: boolean;
  /** Sub-messages of a merge_forward, as im/v1/messages/{id} lists them. */
  children?: FakeStoredMessage[];
  senderId?: string;
  createTime: number;
}

export interface FakeUpload {
  key: string;
  kind: 'image' | 'file';
  fileType?: string;
  name: string;
  bytes: Buffer;
  duration?: number;
}

/** A message the fake accepted from the adapter, in the conformance suite's terms. */
export interface FakeFeishuSentMessage {
  messageId: string;
  chatId: string;
  msgType: string;
  text?: string;
  threadId?: string;
  replyTo?: string;
  uuid?: string;
  mediaName?: string;
  mediaBytes?: Buffer;
  /** The card's buttons (`value.hermes_action`) when msg_type is interactive. */
  buttons?: string[];
  raw: unknown;
}

export interface FakeEdit {
  chatId: string;
  messageId: string;
  text: string;
  method: 'PUT' | 'PATCH';
  raw: unknown;
}

export interface FakeReaction {
  reactionId: string;
  chatId: string;
  messageId: string;
  emoji: string;
  deleted: boolean;
}

interface PostElement {
  tag?: string;
  text?: string;
  href?: string;
  user_name?: string;
  image_key?: string;
}

/** The readable text of a message body: text, post (md and text elements), or card markdown. */
export function textOfContent(msgType: string, content: string): string | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(content) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (msgType === 'text') return typeof body['text'] === 'string' ? body['text'] : undefined;
  if (msgType === 'post') {
    const locale = (body['zh_cn'] ?? body['en_us'] ?? body) as { title?: string; content?: PostElement[][] };
    const lines = (locale.content ?? []).map((para) =>
      para.map((el) => el.text ?? (el.tag === 'at' ? `@${el.user_name ?? ''}` : '')).join(''),
    );
    return [locale.title, ...lines].filter((s) => s !== undefined && s !== '').join('\n');
  }
  if (msgType === 'interactive') {
    const elements = (body['elements'] ??
      (body['body'] as { elements?: unknown[] } | undefined)?.elements ??
      []) as Array<{
      tag?: string;
      content?: string;
    }>;
    return elements
      .filter((e) => (e.tag === 'markdown' || e.tag === 'div') && typeof e.content === 'string')
      .map((e) => e.content)
      .join('\n');
  }
  return undefined;
}

/** `value.hermes_action` of every button of a card body. */
export function buttonsOfCard(content: string): string[] {
  try {
    const body = JSON.parse(content) as {
      elements?: Array<{ tag?: string; actions?: Array<{ value?: Record<string, unknown> }> }>;
    };
    return (body.elements ?? [])
      .filter((e) => e.tag === 'action')
      .flatMap((e) => e.actions ?? [])
      .map((a) => String(a.value?.['hermes_action'] ?? ''));
  } catch {
    return [];
  }
}
