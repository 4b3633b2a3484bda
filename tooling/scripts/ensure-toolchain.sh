#!/usr/bin/env bash
# Source this file: it makes sure Node >= 22.19 and pnpm 10.34.9 are on PATH.
# A machine that already has both gets nothing extra. A bare machine (Node 20 + npm) gets Node 22 from
# the npm `node` package (an npm tarball carrying the real binary; no other download) and pnpm from npm,
# both under $HERMES_TOOLCHAIN_DIR (default ~/.hermes-toolchain), so nothing global is touched.
HERMES_NODE_VERSION="${HERMES_NODE_VERSION:-22.23.3}"
HERMES_PNPM_VERSION="${HERMES_PNPM_VERSION:-10.34.9}"
HERMES_TOOLCHAIN_DIR="${HERMES_TOOLCHAIN_DIR:-$HOME/.hermes-toolchain}"

_hermes_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)'
}

_hermes_prefix="$HERMES_TOOLCHAIN_DIR/node-$HERMES_NODE_VERSION"
if ! _hermes_node_ok; then
  # npm under the Node we install would look for its global npmrc next to that Node and miss the
  # machine's (registry, CA bundle for a TLS-intercepting proxy). Carry the machine's settings across.
  if [ -z "${NPM_CONFIG_GLOBALCONFIG:-}" ] && command -v npm >/dev/null 2>&1; then
    _hermes_globalconfig="$(npm config get globalconfig 2>/dev/null || true)"
    [ -n "$_hermes_globalconfig" ] && [ -f "$_hermes_globalconfig" ] && export NPM_CONFIG_GLOBALCONFIG="$_hermes_globalconfig"
  fi
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && command -v npm >/dev/null 2>&1; then
    _hermes_cafile="$(npm config get cafile 2>/dev/null || true)"
    [ -n "$_hermes_cafile" ] && [ "$_hermes_cafile" != "null" ] && [ -f "$_hermes_cafile" ] && export NODE_EXTRA_CA_CERTS="$_hermes_cafile"
  fi
  if [ ! -x "$_hermes_prefix/bin/node" ]; then
    echo "[toolchain] Node $(node --version 2>/dev/null || echo none) is older than 22.19; installing Node $HERMES_NODE_VERSION into $_hermes_prefix" >&2
    npm install --global --prefix "$_hermes_prefix" --no-audit --no-fund --loglevel=error "node@$HERMES_NODE_VERSION" >&2 \
      || { echo "[toolchain] could not install node@$HERMES_NODE_VERSION from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_hermes_prefix/bin:$PATH"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$HERMES_PNPM_VERSION" ]; then
  _hermes_pnpm_prefix="$HERMES_TOOLCHAIN_DIR/pnpm-$HERMES_PNPM_VERSION"
  if [ ! -x "$_hermes_pnpm_prefix/bin/pnpm" ]; then
    echo "[toolchain] installing pnpm $HERMES_PNPM_VERSION into $_hermes_pnpm_prefix" >&2
    npm install --global --prefix "$_hermes_pnpm_prefix" --no-audit --no-fund --loglevel=error "pnpm@$HERMES_PNPM_VERSION" >&2 \
      || { echo "[toolchain] could not install pnpm@$HERMES_PNPM_VERSION" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_hermes_pnpm_prefix/bin:$PATH"
fi

# turbo phones home unless told not to; the network here is closed anyway.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# Corepack shims would shadow our pnpm and fail their signature check on this registry.
export COREPACK_ENABLE_STRICT=0
# pnpm's "Update available" box (with a `curl … | sh` line) is noise here: the version is pinned on purpose.
export npm_config_update_notifier=false
