/** A DingTalk user as the fake knows one: the staff id (userid) and the opaque sender id DingTalk derives. */
export interface FakeDingtalkUser {
  staffId: string;
  senderId: string;
  nick: string;
}

export function fakeDingtalkUser(staffId: string, nick = staffId): FakeDingtalkUser {
  return { staffId, senderId: `$:LWCP_v1:$${staffId}`, nick };
}

/** The robot message body DingTalk puts (as a JSON string) in the `data` of a CALLBACK frame. */
export type FakeRobotContent =
  | { msgtype: 'text'; text: string }
  | { msgtype: 'picture'; downloadCode: string }
  | { msgtype: 'richText'; parts: Array<{ text: string } | { downloadCode: string }> }
  | { msgtype: 'audio'; downloadCode: string; recognition?: string; duration?: number }
  | { msgtype: 'video'; downloadCode: string; duration?: number }
  | { msgtype: 'file'; downloadCode: string; fileName: string };

export interface FakeRobotMessageInput {
  msgId: string;
  user: FakeDingtalkUser;
  conversationId: string;
  group: boolean;
  conversationTitle?: string;
  isInAtList: boolean;
  chatbotUserId: string;
  robotCode: string;
  corpId: string;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
  content: FakeRobotContent;
}

function contentFields(content: FakeRobotContent): Record<string, unknown> {
  switch (content.msgtype) {
    case 'text':
      return { text: { content: content.text } };
    case 'picture':
      return { content: { downloadCode: content.downloadCode, pictureDownloadCode: content.downloadCode } };
    case 'richText':
      return {
        content: {
          richText: content.parts.map((p) =>
            'text' in p
              ? { text: p.text }
              : { type: 'picture', downloadCode: p.downloadCode, pictureDownloadCode: p.downloadCode },
          ),
        },
      };
    case 'audio':
      return {
        content: {
          downloadCode: content.downloadCode,
          duration: content.duration ?? 3000,
          ...(content.recognition === undefined ? {} : { recognition: content.recognition }),
        },
      };
    case 'video':
      return {
        content: { downloadCode: content.downloadCode, duration: content.duration ?? 5, videoType: 'mp4' },
      };
    case 'file':
      return {
        content: {
          downloadCode: content.downloadCode,
          fileName: content.fileName,
          spaceId: '1234',
          fileId: `file-${content.downloadCode}`,
        },
      };
  }
}

/** Builds the ChatbotMessage JSON the way DingTalk's Stream Mode pushes it to a robot. */
export function fakeRobotMessage(m: FakeRobotMessageInput): Record<string, unknown> {
  const now = Date.now();
  return {
    conversationId: m.conversationId,
    ...(m.group && m.isInAtList ? { atUsers: [{ dingtalkId: m.chatbotUserId }] } : {}),
    chatbotCorpId: m.corpId,
    chatbotUserId: m.chatbotUserId,
    msgId: m.msgId,
    senderNick: m.user.nick,
    isAdmin: false,
    senderStaffId: m.user.staffId,
    sessionWebhookExpiredTime: m.sessionWebhookExpiredTime,
    createAt: now,
    senderCorpId: m.corpId,
    conversationType: m.group ? '2' : '1',
    senderId: m.user.senderId,
    ...(m.group ? { conversationTitle: m.conversationTitle ?? 'Fake group', isInAtList: m.isInAtList } : {}),
    sessionWebhook: m.sessionWebhook,
    robotCode: m.robotCode,
    msgtype: m.content.msgtype,
    ...contentFields(m.content),
  };
}
