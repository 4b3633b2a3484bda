#!/usr/bin/env bash
# Everything CI checks: build, lint (biome + typecheck), every package's tests, then the pack-and-install
# check last, on its own, because it packs the dist folders the other steps build.
set -euo pipefail
turbo run build
bash tooling/scripts/lint-all.sh
turbo run test --concurrency=2 --filter='!@hermes/pack-check'
turbo run test --filter=@hermes/pack-check
