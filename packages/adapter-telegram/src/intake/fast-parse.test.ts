import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastTelegramMessage } from './fast-parse.js';
import { parseTelegramUpdate, telegramMessageSchema } from './parse-update.js';

const common = {
  message_id: 17,
  date: 1_733_500_000,
  chat: { id: 8001, type: 'private', first_name: 'Ann' },
  from: { id: 8001, is_bot: false, first_name: 'Ann', language_code: 'en' },
  text: '/start@hermes_test_bot hi',
  entities: [{ type: 'bot_command', offset: 0, length: 22 }],
};

/** Values a field may hold in a hostile update: right and wrong types, edge numbers. */
const anyValue = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    0,
    -1,
    1.5,
    2 ** 60,
    'x',
    '',
    true,
    false,
    [],
    {},
    'private',
    'channel',
    'bogus',
  ),
  fc.integer(),
  fc.string(),
  fc.constant([{ type: 'mention', offset: 0, length: 3 }]),
  fc.constant([{ type: 'mention', offset: -1, length: 3 }]),
  fc.constant([{ type: 'text_mention', offset: 0, length: 3, user: { id: 'x' } }]),
  fc.constant({ id: 5, type: 'group' }),
  fc.constant({ id: 5 }),
);

const paths = [
  ['message_id'],
  ['date'],
  ['chat'],
  ['chat', 'id'],
  ['chat', 'type'],
  ['chat', 'title'],
  ['chat', 'is_forum'],
  ['from'],
  ['from', 'id'],
  ['from', 'is_bot'],
  ['from', 'username'],
  ['sender_chat'],
  ['message_thread_id'],
  ['is_topic_message'],
  ['text'],
  ['caption'],
  ['media_group_id'],
  ['entities'],
  ['caption_entities'],
  ['reply_to_message'],
  ['photo'],
  ['forum_topic_created'],
  ['unknown_field'],
] as const;

/** Sets `path` in `message` (in place) when the objects along it exist. */
function setField(message: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = message;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return;
    at = next as Record<string, unknown>;
  }
  at[path.at(-1)!] = value;
}

describe('fastTelegramMessage', () => {
  it('takes the common message as it is', () => {
    expect(fastTelegramMessage(common)).toBe(common);
  });

  it('leaves replies and files to the schema', () => {
    expect(fastTelegramMessage({ ...common, reply_to_message: { ...common } })).toBeUndefined();
    expect(
      fastTelegramMessage({ ...common, photo: [{ file_id: 'a', width: 1, height: 1 }] }),
    ).toBeUndefined();
  });

  it('never accepts what the schema refuses, and accepts only what the schema reads the same', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        anyValue,
        fc.constantFrom(...paths),
        anyValue,
        (p1, v1, p2, v2) => {
          const message = structuredClone(common) as Record<string, unknown>;
          setField(message, p1, v1);
          setField(message, p2, v2);
          const fast = fastTelegramMessage(message);
          const schema = telegramMessageSchema.safeParse(message);
          if (fast !== undefined) {
            expect(schema.success).toBe(true);
            expect(schema.data).toEqual(message);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('still reports a malformed message with the schema wording', () => {
    const parsed = parseTelegramUpdate({ update_id: 5, message: { ...common, message_id: 1.5 } });
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' ? parsed.problem : '').toContain('message.message_id');
  });
});
