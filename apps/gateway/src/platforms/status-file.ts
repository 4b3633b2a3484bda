import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { AdapterStatus } from '@hermes/adapter-core';
import { writeJsonObject } from '../state/json-file.js';

export interface GatewayStatusFile {
  pid: number;
  startedAt: string;
  updatedAt: string;
  platforms: Record<
    string,
    { status: AdapterStatus; detail?: string; lastInboundAt?: string; lastSendAt?: string }
  >;
  /** With several replicas on one database: this one's id and the connections it holds. */
  replica?: { id: string; owns: string[] };
}

export function writeStatusFile(path: string, status: GatewayStatusFile): void {
  writeJsonObject(path, status as unknown as Record<string, unknown>);
}

export function readStatusFile(path: string): GatewayStatusFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GatewayStatusFile;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}
