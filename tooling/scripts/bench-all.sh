#!/usr/bin/env bash
# Each package with a `bench` script prints its own ratios against a baseline measured in the same run.
set -euo pipefail
turbo run build
turbo run bench --concurrency=1
