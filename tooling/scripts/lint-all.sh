#!/usr/bin/env bash
set -euo pipefail
biome check .
turbo run typecheck
