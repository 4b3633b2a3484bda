import { TTS_MAX_CHARS } from './speech.js';

/**
 * The part of a Markdown reply worth reading aloud: code blocks and MEDIA lines are left to the text
 * message, markup is dropped, links keep their words. Empty when nothing is left to say.
 */
export function speakableText(markdown: string): string {
  const text = markdown
    .replace(/```[\s\S]*?(```|$)/g, ' (code in the text message) ')
    .replace(/^\s*MEDIA:.*$/gm, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s*>\s?/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '')
    .replace(/(\*\*|__|~~|\*|_)(?=\S)([^*_~]*?\S)\1/g, '$2')
    .replace(/https?:\/\/\S+/g, 'a link')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length <= TTS_MAX_CHARS) return text;
  const cut = text.slice(0, TTS_MAX_CHARS - 40);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('\n'));
  return `${end > TTS_MAX_CHARS / 2 ? cut.slice(0, end + 1) : cut} The rest is in the text message.`;
}
