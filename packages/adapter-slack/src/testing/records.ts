/** One Web API call as the fake received it. */
export interface SlackFakeRequest {
  /** Web API method (`chat.postMessage`), or the path for uploads and file downloads. */
  method: string;
  httpMethod: string;
  path: string;
  /** Which token authenticated it. */
  auth: 'bot' | 'app' | 'none' | 'invalid';
  params: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
  /** Set when a scripted fault answered instead of (or after) the normal handler. */
  fault?: string;
  /** The `error` of an `{ok: false}` answer. */
  error?: string;
  status?: number;
}

/** A message chat.postMessage accepted. */
export interface SlackFakePost {
  channel: string;
  ts: string;
  text: string;
  threadTs?: string;
  params: Record<string, unknown>;
  /** Block Kit blocks the message carries now (from the post or its last chat.update). */
  blocks?: Array<Record<string, unknown>>;
  at: number;
}

export interface SlackFakeUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks?: Array<Record<string, unknown>>;
  at: number;
}

/** A message streamed with chat.startStream / appendStream / stopStream. */
export interface SlackFakeStream {
  channel: string;
  ts: string;
  threadTs: string;
  recipientUserId?: string;
  recipientTeamId?: string;
  /** markdown_text of every call that carried some, in order (startStream's first, stopStream's last). */
  appends: string[];
  /** The message text so far. */
  text: string;
  stopped: boolean;
}

export interface SlackFakeDelete {
  channel: string;
  ts: string;
  at: number;
}

export interface SlackFakeReaction {
  channel: string;
  ts: string;
  name: string;
  at: number;
}

/** A file completed into a channel by files.completeUploadExternal. */
export interface SlackFakeUpload {
  fileId: string;
  filename: string;
  title?: string;
  bytes: Buffer;
  channel: string;
  threadTs?: string;
  initialComment?: string;
  ts: string;
  at: number;
}

/** A file the fake serves at url_private, as if a user had shared it. */
export interface SlackFakeHostedFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Buffer;
}
