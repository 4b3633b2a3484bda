#!/usr/bin/env bash
# `pnpm hermes <args>` / `npm run hermes -- <args>`: builds what the CLI needs, then runs it.
set -euo pipefail
if [ ! -f apps/gateway/package.json ]; then
  echo "hermes: the gateway host (apps/gateway) is not built yet in this checkout; see README.md 'Status'." >&2
  exit 2
fi
turbo run build --filter=@hermes/gateway... --output-logs=errors-only >&2
exec node apps/gateway/dist/cli.js "$@"
