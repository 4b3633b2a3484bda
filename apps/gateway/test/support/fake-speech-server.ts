import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSpeechFile } from './audio-check.js';

/** What the fake STT endpoint does with the next request. */
export type SttStep =
  | { kind: 'text'; text: string }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'hang' };
export type TtsStep =
  | { kind: 'audio'; data: Buffer; type: string }
  | { kind: 'error'; status: number; message: string };

export interface SttRequest {
  model: string;
  filename: string;
  authorization: string | undefined;
  /** The uploaded file as parsed, or why it is not valid audio. */
  audio: ReturnType<typeof parseSpeechFile> | { format: 'invalid'; why: string };
}

export interface TtsRequest {
  model: string;
  voice: string;
  input: string;
  responseFormat?: string;
  authorization: string | undefined;
}

export interface FakeSpeechServer {
  /** http://127.0.0.1:PORT/v1 */
  baseURL: string;
  stt: SttRequest[];
  tts: TtsRequest[];
  scriptStt(...steps: SttStep[]): void;
  scriptTts(...steps: TtsStep[]): void;
  /** Answer when nothing is scripted. */
  defaults: { stt: SttStep; tts: TtsStep };
  close(): Promise<void>;
}

const LIMIT = 30 * 1024 * 1024;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > LIMIT) req.destroy(new Error('too large'));
      else parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** multipart/form-data as the openai SDK sends it: fields and one file. */
function multipart(
  data: Buffer,
  contentType: string,
): { fields: Record<string, string>; file?: { name: string; data: Buffer } } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) throw new Error('no multipart boundary');
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const out: { fields: Record<string, string>; file?: { name: string; data: Buffer } } = { fields: {} };
  let at = data.indexOf(marker);
  while (at !== -1) {
    const start = at + marker.length;
    if (data.subarray(start, start + 2).toString() === '--') break;
    const next = data.indexOf(marker, start);
    if (next === -1) break;
    const part = data.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) out.file = { name: filename, data: content };
    else out.fields[name] = content.toString('utf8');
    at = next;
  }
  return out;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

const openAIError = (message: string) => ({
  error: { message, type: 'invalid_request_error', code: null, param: null },
});

/**
 * A loopback OpenAI-compatible audio server: `/v1/audio/transcriptions` parses the uploaded file and
 * refuses anything that is not a valid WAV or Ogg/Opus (400, as OpenAI does for an unreadable file);
 * `/v1/audio/speech` answers with the scripted audio.
 */
export async function startFakeSpeechServer(): Promise<FakeSpeechServer> {
  const sttQueue: SttStep[] = [];
  const ttsQueue: TtsStep[] = [];
  const stt: SttRequest[] = [];
  const tts: TtsRequest[] = [];
  const defaults: FakeSpeechServer['defaults'] = {
    stt: { kind: 'error', status: 500, message: 'no transcript scripted' },
    tts: { kind: 'error', status: 500, message: 'no audio scripted' },
  };
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0];
      const raw = await body(req);
      if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
        const form = multipart(raw, req.headers['content-type'] ?? '');
        let audio: SttRequest['audio'];
        try {
          if (!form.file) throw new Error('no file part');
          audio = parseSpeechFile(form.file.data);
        } catch (err) {
          audio = { format: 'invalid', why: (err as Error).message };
        }
        stt.push({
          model: form.fields.model ?? '',
          filename: form.file?.name ?? '',
          authorization: req.headers.authorization,
          audio,
        });
        if (audio.format === 'invalid')
          return json(res, 400, openAIError(`Invalid file format: ${audio.why}`));
        const step = sttQueue.shift() ?? defaults.stt;
        if (step.kind === 'hang') return; // closed by close() or the client's timeout
        if (step.kind === 'error') return json(res, step.status, openAIError(step.message));
        return json(res, 200, { text: step.text });
      }
      if (req.method === 'POST' && path === '/v1/audio/speech') {
        const b = JSON.parse(raw.toString('utf8')) as {
          model: string;
          voice: string;
          input: string;
          response_format?: string;
        };
        const r: TtsRequest = {
          model: b.model,
          voice: b.voice,
          input: b.input,
          authorization: req.headers.authorization,
        };
        if (b.response_format) r.responseFormat = b.response_format;
        tts.push(r);
        const step = ttsQueue.shift() ?? defaults.tts;
        if (step.kind === 'error') return json(res, step.status, openAIError(step.message));
        res.writeHead(200, { 'content-type': step.type, 'content-length': String(step.data.length) });
        res.end(step.data);
        return;
      }
      json(res, 404, openAIError(`Unknown request URL: ${req.method} ${path}`));
    })().catch((err: Error) => json(res, 500, openAIError(`fake failure: ${err.message}`)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    stt,
    tts,
    defaults,
    scriptStt: (...steps) => void sttQueue.push(...steps),
    scriptTts: (...steps) => void ttsQueue.push(...steps),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
