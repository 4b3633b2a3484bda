import { type MessageTarget, parseMessageTarget } from '@hermes/adapter-core';
import { z } from 'zod';
import type { AgentTool } from '../../types.js';
import { defineTool } from '../define-tool.js';

export interface SendMessageResult {
  ok: boolean;
  /** Why it failed, or a receipt (message id, chat name), in words the model can relay. */
  detail?: string;
}

export interface SendMessageCall {
  target: MessageTarget;
  sessionKey: string;
  /** The turn's `context` (the origin chat, used to resolve `home`). */
  context: Record<string, unknown>;
}

/** The host's delivery function. `target` is the validated, normalised target string. */
export type SendMessageFn = (
  target: string,
  text: string,
  call: SendMessageCall,
) => Promise<SendMessageResult>;

export interface SendMessageToolOptions {
  /** Platforms the host can deliver to; others are refused before `send` is called. */
  platforms?: readonly string[];
  /** Longest message accepted. Default 20,000 characters. */
  maxChars?: number;
}

export function createSendMessageTool(send: SendMessageFn, options: SendMessageToolOptions = {}): AgentTool {
  const maxChars = options.maxChars ?? 20_000;
  return defineTool({
    name: 'send_message',
    toolset: 'messaging',
    emoji: '📨',
    description:
      'Send a message to a chat on a connected platform. target is "home" (the home channel of this ' +
      'platform), "<platform>" (that platform\'s home channel), "<platform>:<chat_id>" or ' +
      '"<platform>:<chat_id>:<thread_id>". Use it only when the user asks to notify another chat; ' +
      'your normal reply already reaches the current chat.',
    schema: z.object({
      target: z
        .string()
        .describe('Where to send: home | platform | platform:chat_id | platform:chat_id:thread_id'),
      message: z.string().describe('The text to send (Markdown allowed).'),
    }),
    preview: (args) => args.target,
    async execute(args, ctx) {
      const parsed = parseMessageTarget(args.target, options.platforms);
      if (!parsed.ok) return { ok: false, output: parsed.error };
      const text = args.message.trim();
      if (!text) return { ok: false, output: 'The message is empty; nothing was sent.' };
      if (text.length > maxChars) {
        return { ok: false, output: `The message is ${text.length} characters; the limit is ${maxChars}.` };
      }
      try {
        const result = await send(parsed.normalized, text, {
          target: parsed.target,
          sessionKey: ctx.sessionKey,
          context: ctx.context,
        });
        if (result.ok) {
          return {
            ok: true,
            output: `Sent to ${parsed.normalized}.${result.detail ? ` ${result.detail}` : ''}`,
          };
        }
        return {
          ok: false,
          output: `Could not send to ${parsed.normalized}: ${result.detail ?? 'delivery failed'}.`,
        };
      } catch (error) {
        ctx.logger.warn('send_message delivery threw', { target: parsed.normalized, error: String(error) });
        return { ok: false, output: `Could not send to ${parsed.normalized}: delivery failed.` };
      }
    },
  });
}
