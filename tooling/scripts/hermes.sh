#!/usr/bin/env bash
# `pnpm hermes <args>` / `npm run hermes -- <args>`: builds what the CLI needs, then runs it.
set -euo pipefail
if [ ! -f apps/gateway/package.json ]; then
  echo "hermes: the gateway host (apps/gateway) is not built yet in this checkout; see README.md 'Status'." >&2
  exit 2
fi
# Quiet unless the build fails: a `hermes` command prints what hermes says, not turbo's banner.
build_log="$(mktemp)"
if ! turbo run build --filter=@hermes/gateway... --output-logs=errors-only >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
exec node apps/gateway/dist/cli.js "$@"
