import { type Capabilities, prepareOutboundText } from '@hermes/adapter-core';

type LengthCaps = Pick<Capabilities, 'maxMessageLength' | 'lengthUnit' | 'markdown'>;

/** Room kept in every streamed message for the "⚡ Interrupted" / "⚠️ error" mark added at the end. */
const MARK_ROOM = 80;

function streamCaps(caps: LengthCaps): LengthCaps {
  return { ...caps, maxMessageLength: Math.max(64, caps.maxMessageLength - MARK_ROOM) };
}

/** True when the text, rendered for the platform, no longer fits one message. */
export function overLimit(text: string, caps: LengthCaps): boolean {
  return prepareOutboundText(text, streamCaps(caps)).length > 1;
}

/**
 * Where to end the current streamed message: the last paragraph, line or word break that the core
 * splitter says still fits, so no word is ever cut in two across messages.
 */
export function cutPoint(text: string, caps: LengthCaps): number {
  const limited = streamCaps(caps);
  const first = prepareOutboundText(text, limited)[0];
  let target = Math.min(text.length, first ? first.markdown.length : text.length);
  for (let guard = 0; guard < 40 && target > 0; guard++) {
    const window = text.slice(0, target);
    const half = Math.floor(target / 2);
    let cut = window.lastIndexOf('\n\n');
    if (cut < half) cut = window.lastIndexOf('\n');
    if (cut < half) cut = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
    if (cut <= 0) cut = target;
    if (prepareOutboundText(text.slice(0, cut), limited).length <= 1) return cut;
    target = Math.floor(target * 0.9);
  }
  return Math.max(1, target);
}
