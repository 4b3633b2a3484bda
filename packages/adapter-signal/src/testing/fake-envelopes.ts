/** A person the fake delivers messages from. */
export interface FakeSignalContact {
  number?: string;
  uuid: string;
  name?: string;
}

export interface FakeDataMessageParts {
  message?: string;
  mentions?: Array<{ start: number; length: number; number?: string; uuid?: string }>;
  attachments?: Array<{ id: string; contentType: string; filename: string; size: number }>;
  quote?: { id: number; authorNumber?: string; authorUuid?: string; text?: string };
  groupId?: string;
  groupName?: string;
}

/** An envelope shaped like signal-cli's JsonMessageEnvelope with a dataMessage. */
export function dataEnvelope(
  from: FakeSignalContact,
  timestamp: number,
  parts: FakeDataMessageParts,
): unknown {
  const dataMessage: Record<string, unknown> = {
    timestamp,
    message: parts.message ?? null,
    expiresInSeconds: 0,
    viewOnce: false,
  };
  if (parts.mentions) {
    dataMessage['mentions'] = parts.mentions.map((m) => ({
      name: m.number ?? m.uuid,
      number: m.number ?? null,
      uuid: m.uuid ?? null,
      start: m.start,
      length: m.length,
    }));
  }
  if (parts.attachments) {
    dataMessage['attachments'] = parts.attachments.map((a) => ({
      ...a,
      width: null,
      height: null,
      caption: null,
      uploadTimestamp: timestamp,
    }));
  }
  if (parts.quote) {
    dataMessage['quote'] = {
      id: parts.quote.id,
      author: parts.quote.authorNumber ?? parts.quote.authorUuid,
      authorNumber: parts.quote.authorNumber ?? null,
      authorUuid: parts.quote.authorUuid ?? null,
      text: parts.quote.text ?? null,
      attachments: [],
    };
  }
  if (parts.groupId !== undefined) {
    dataMessage['groupInfo'] = {
      groupId: parts.groupId,
      groupName: parts.groupName ?? 'Test group',
      revision: 1,
      type: 'DELIVER',
    };
  }
  return {
    source: from.number ?? from.uuid,
    sourceNumber: from.number ?? null,
    sourceUuid: from.uuid,
    sourceName: from.name ?? null,
    sourceDevice: 1,
    timestamp,
    serverReceivedTimestamp: timestamp + 3,
    serverDeliveredTimestamp: timestamp + 5,
    dataMessage,
  };
}
