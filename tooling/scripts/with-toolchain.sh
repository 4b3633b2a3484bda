#!/usr/bin/env bash
# Runs a command with the project's toolchain, installing dependencies first when they are missing or stale.
# Used by every root script so that `npm test` / `npm run hermes` work on a bare machine too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=ensure-toolchain.sh
source "$root/tooling/scripts/ensure-toolchain.sh"
stamp="$root/node_modules/.hermes-install-stamp"
if [ ! -f "$stamp" ] || [ "$root/pnpm-lock.yaml" -nt "$stamp" ] || [ "$root/package.json" -nt "$stamp" ]; then
  if [ -f "$root/pnpm-lock.yaml" ]; then
    pnpm install --frozen-lockfile --reporter=append-only >&2
  else
    pnpm install --reporter=append-only >&2
  fi
  touch "$stamp"
fi
export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
