import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ChatRef,
  type NativeReplyStream,
  type SendPacer,
  type SendResult,
  type StartStreamResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { DINGTALK_PLATFORM } from './constants.js';
import type { DingtalkRobotApi } from './robot-api.js';

/** The card variable the template shows the reply in (the Python gateway's templates use `content`). */
const CONTENT_KEY = 'content';

export interface DingtalkCardTarget {
  chat: ChatRef;
  isGroup: boolean;
  robotCode: string;
}

export interface DingtalkCardDeps {
  api: DingtalkRobotApi;
  pacer: SendPacer;
  templateId: string;
  onSent(): void;
}

/** Where DingTalk delivers a card: the group, or the user's robot DM (by staff id). */
function openSpace(target: DingtalkCardTarget): Record<string, unknown> {
  const { chat, isGroup, robotCode } = target;
  return isGroup
    ? {
        openSpaceId: `dtv1.card//IM_GROUP.${chat.chatId}`,
        imGroupOpenSpaceModel: { supportForward: true },
        imGroupOpenDeliverModel: { robotCode },
      }
    : {
        openSpaceId: `dtv1.card//IM_ROBOT.${chat.chatId}`,
        imRobotOpenSpaceModel: { supportForward: true },
        imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode },
      };
}

async function guarded(run: () => Promise<unknown>, id: string): Promise<SendResult> {
  try {
    await run();
    return { ok: true, messageIds: [id] };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, DINGTALK_PLATFORM) };
  }
}

/**
 * An AI Card streamed in place (`card/instances/createAndDeliver`, then `PUT card/streaming` with the whole
 * text each time, `isFinalize` at the end), as the Python gateway does with its card template. Writes go
 * through the send pacer, so they keep order with the chat's other messages and honour throttling.
 */
export async function startDingtalkCardStream(
  deps: DingtalkCardDeps,
  target: DingtalkCardTarget,
): Promise<StartStreamResult> {
  const outTrackId = `hermes_${randomBytes(6).toString('hex')}`;
  const key = target.chat.chatId;
  try {
    await deps.pacer.run(key, () =>
      deps.api.call('card createAndDeliver', 'POST', '/v1.0/card/instances/createAndDeliver', {
        cardTemplateId: deps.templateId,
        outTrackId,
        callbackType: 'STREAM',
        cardData: { cardParamMap: { [CONTENT_KEY]: '' } },
        userIdType: 1,
        ...openSpace(target),
      }),
    );
  } catch (error) {
    return { ok: false, error: toAdapterError(error, DINGTALK_PLATFORM) };
  }
  let done = false;
  let shown = '';
  const write = (content: string, isFinalize: boolean, isError: boolean) =>
    guarded(
      () =>
        deps.pacer.run(key, () =>
          deps.api.call('card streaming', 'PUT', '/v1.0/card/streaming', {
            outTrackId,
            guid: randomUUID(),
            key: CONTENT_KEY,
            content,
            isFull: true,
            isFinalize,
            isError,
          }),
        ),
      outTrackId,
    );
  const stream: NativeReplyStream = {
    async update(textSoFar) {
      if (done) return { ok: true, messageIds: [outTrackId] };
      shown = textSoFar;
      return write(textSoFar, false, false);
    },
    async finish(finalText) {
      done = true;
      const result = await write(finalText, true, false);
      if (result.ok) deps.onSent();
      return result;
    },
    async abort(note) {
      done = true;
      // The partial answer stays readable, marked by the host's note.
      return write(shown ? `${shown}\n\n${note}` : note, true, true);
    },
  };
  return { ok: true, stream };
}
