#!/usr/bin/env bash
# Several people (and helper sessions) may add dependencies at once: serialise every pnpm install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tooling/scripts/ensure-toolchain.sh"
exec flock "$root/node_modules/.pnpm-install.lock" pnpm "$@"
