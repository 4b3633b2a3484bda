import { join } from 'node:path';
import { type Logger, readFileIfExists, setFileAside, writeFileAtomic } from '@hermes/adapter-core';

/** The device the bot logged in as: reused on every start so Matrix does not collect one device per restart. */
export interface MatrixSession {
  homeserver: string;
  userId: string;
  deviceId: string;
  accessToken: string;
}

function isSession(value: unknown): value is MatrixSession {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['homeserver'] === 'string' &&
    typeof v['userId'] === 'string' &&
    typeof v['deviceId'] === 'string' &&
    typeof v['accessToken'] === 'string'
  );
}

export class SessionFile {
  readonly path: string;
  readonly #logger: Logger;

  constructor(stateDir: string, logger: Logger) {
    this.path = join(stateDir, 'session.json');
    this.#logger = logger;
  }

  load(): MatrixSession | undefined {
    const text = readFileIfExists(this.path);
    if (text === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isSession(parsed)) return parsed;
      throw new Error('unexpected layout');
    } catch (error) {
      const movedTo = setFileAside(this.path);
      this.#logger.error('Matrix session file was unreadable; logging in again', {
        file: this.path,
        movedTo,
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  save(session: MatrixSession): void {
    writeFileAtomic(this.path, JSON.stringify(session));
  }
}
