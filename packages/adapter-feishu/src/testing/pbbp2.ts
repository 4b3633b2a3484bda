import protobuf from 'protobufjs';

/** One header of a long-connection frame. */
export interface Pbbp2Header {
  key: string;
  value: string;
}

/** `pbbp2.Frame`, the long connection's envelope (method 0 = control, 1 = data). */
export interface Pbbp2Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: Pbbp2Header[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

/** The schema as Feishu's gateway and the official SDKs define it. */
const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: {
            key: { rule: 'required', type: 'string', id: 1 },
            value: { rule: 'required', type: 'string', id: 2 },
          },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payloadEncoding: { type: 'string', id: 6 },
            payloadType: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const FrameType = root.lookupType('pbbp2.Frame');

export const PBBP2_METHOD = { control: 0, data: 1 } as const;

export function encodePbbp2Frame(frame: Pbbp2Frame): Buffer {
  return Buffer.from(FrameType.encode(FrameType.fromObject(frame)).finish());
}

/** Throws on bytes that are not a frame (the caller decides what that means). */
export function decodePbbp2Frame(bytes: Uint8Array): Pbbp2Frame {
  const message = FrameType.decode(bytes);
  const o = FrameType.toObject(message, { longs: Number, bytes: Buffer, defaults: true }) as Pbbp2Frame;
  return o;
}

export function frameHeader(frame: Pbbp2Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
