import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = '@hermes/gateway';

export interface GatewayPackage {
  /** The folder holding this gateway's package.json. */
  root: string;
  version: string;
}

/**
 * The package this code runs from, found by walking up from this module: the same answer from `src`
 * (tests), the built `dist` and an installed tarball.
 */
export function gatewayPackage(from: string = fileURLToPath(import.meta.url)): GatewayPackage | undefined {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string')
          return { root: dir, version: pkg.version };
      } catch {
        // Not ours or unreadable: keep walking up.
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
