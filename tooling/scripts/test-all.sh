#!/usr/bin/env bash
# Everything CI checks: build, lint (biome + typecheck), every package's tests, then the pack-and-install
# check last, on its own, because it packs the dist folders the other steps build.
# Type checks and tests run in one turbo run: the tests spend much of their time waiting on sockets and
# child processes, and a type check fills that time on the other core.
set -euo pipefail
turbo run build
biome check .
turbo run typecheck test --concurrency=2 --filter='!@hermes/pack-check'
turbo run typecheck test --filter=@hermes/pack-check
