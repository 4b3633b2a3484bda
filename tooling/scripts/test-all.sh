#!/usr/bin/env bash
# Everything CI checks: build, lint (biome + typecheck), every package's tests.
set -euo pipefail
turbo run build
bash tooling/scripts/lint-all.sh
turbo run test --concurrency=2
