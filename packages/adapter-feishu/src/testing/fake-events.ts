/** Builders for the v2 (`schema: "2.0"`) event bodies Feishu pushes, as its event reference documents them. */

export interface FakeMention {
  key: string;
  id: { open_id: string; union_id?: string; user_id?: string };
  name: string;
}

export interface FakeMessageEventInput {
  appId: string;
  eventId: string;
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  senderType?: 'user' | 'app';
  messageType: string;
  content: unknown;
  mentions?: FakeMention[];
  rootId?: string;
  parentId?: string;
  createTime?: number;
}

export function unionIdOf(openId: string): string {
  return `on_${openId.replace(/^ou_/, '')}`;
}

export function messageReceiveEvent(i: FakeMessageEventInput): Record<string, unknown> {
  const created = String(i.createTime ?? Date.now());
  return {
    schema: '2.0',
    header: {
      event_id: i.eventId,
      event_type: 'im.message.receive_v1',
      create_time: created,
      token: '',
      app_id: i.appId,
      tenant_key: 'tenant-fake',
    },
    event: {
      sender: {
        sender_id: { open_id: i.senderOpenId, union_id: unionIdOf(i.senderOpenId), user_id: 'u_fake' },
        sender_type: i.senderType ?? 'user',
        tenant_key: 'tenant-fake',
      },
      message: {
        message_id: i.messageId,
        ...(i.rootId ? { root_id: i.rootId } : {}),
        ...(i.parentId ? { parent_id: i.parentId } : {}),
        create_time: created,
        chat_id: i.chatId,
        chat_type: i.chatType,
        message_type: i.messageType,
        content: JSON.stringify(i.content),
        ...(i.mentions ? { mentions: i.mentions } : {}),
      },
    },
  };
}

export interface FakeCardActionInput {
  appId: string;
  eventId: string;
  operatorOpenId: string;
  messageId: string;
  chatId: string;
  value: Record<string, unknown>;
}

export function cardActionEvent(i: FakeCardActionInput): Record<string, unknown> {
  return {
    schema: '2.0',
    header: {
      event_id: i.eventId,
      event_type: 'card.action.trigger',
      create_time: String(Date.now()),
      token: '',
      app_id: i.appId,
      tenant_key: 'tenant-fake',
    },
    event: {
      operator: {
        open_id: i.operatorOpenId,
        union_id: unionIdOf(i.operatorOpenId),
        tenant_key: 'tenant-fake',
      },
      token: `c-${i.eventId}`,
      action: { tag: 'button', value: i.value },
      host: 'im_message',
      context: { open_message_id: i.messageId, open_chat_id: i.chatId },
    },
  };
}
