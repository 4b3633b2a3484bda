#!/usr/bin/env bash
# Installs Synapse (the Matrix reference homeserver) for the real-server tests of @hermes/adapter-matrix.
# Debian ships matrix-synapse only in sid, so it goes into a sid "minbase" chroot under a cache dir; the
# tests start a throwaway instance from it on 127.0.0.1 and never touch a system service.
#
# Idempotent: a chroot that already has synapse_homeserver is reused as is. On failure (no mirror, sid
# broken today) it retries once, then exits 0 after writing the reason to the status file: the Synapse
# suite then shows up as SKIPPED with that reason, never as passed. Run as root.
#
#   HERMES_SYNAPSE_ROOT    chroot dir (default /opt/hermes-synapse-root)
#   HERMES_SYNAPSE_STATUS  status file the tests read (default $HERMES_SYNAPSE_ROOT.status)
#   HERMES_SYNAPSE_CACHE   .deb cache for debootstrap (default /var/cache/hermes-synapse-debs)
#   HERMES_SYNAPSE_MIRROR  Debian mirror (default: the first deb.debian.org-style URI in the host's apt sources)
set -uo pipefail

root="${HERMES_SYNAPSE_ROOT:-/opt/hermes-synapse-root}"
status="${HERMES_SYNAPSE_STATUS:-$root.status}"
cache="${HERMES_SYNAPSE_CACHE:-/var/cache/hermes-synapse-debs}"
deadline=$((SECONDS + 110))

say() { echo "install-synapse: $*"; }
fail_soft() {
  mkdir -p "$(dirname "$status")"
  printf 'unavailable: %s\n' "$1" >"$status"
  say "giving up (tests will be skipped): $1"
  exit 0
}

if [ -x "$root/usr/bin/synapse_homeserver" ]; then
  printf 'ok: %s\n' "$(cat "$root/.hermes-synapse-version" 2>/dev/null || echo cached)" >"$status"
  say "already installed in $root"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || fail_soft "needs root to debootstrap and chroot (run tooling/ci/install-synapse.sh as root)"

mirror="${HERMES_SYNAPSE_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null |
    grep -oE 'https?://[^ ]+' | head -n1)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

# Bounded step: never let one hung download eat the CI budget.
step() {
  local limit=$1
  shift
  local left=$((deadline - SECONDS))
  [ "$left" -gt 5 ] || return 124
  [ "$limit" -le "$left" ] || limit=$left
  timeout --kill-after=5 "$limit" "$@"
}

# Stages leave markers in the partial chroot, so a retry (or the next CI run) resumes where the last one
# stopped instead of starting over; downloaded .debs are kept in a cache dir for the same reason.
attempt() {
  local part="$root.partial" log="$root.partial.log" t
  mkdir -p "$cache"
  if ! command -v debootstrap >/dev/null 2>&1; then
    step 40 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >>"$log" 2>&1 ||
      step 40 sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap' >>"$log" 2>&1 ||
      { reason="apt-get install debootstrap failed"; return 1; }
  fi
  if [ ! -e "$part/.hermes-debootstrap-done" ]; then
    rm -rf "$part"
    t=$SECONDS
    step 75 debootstrap --variant=minbase --cache-dir="$cache" sid "$part" "$mirror" >>"$log" 2>&1 ||
      { reason="debootstrap sid from $mirror failed: $(tail -n 2 "$log" | tr '\n' ' ')"; return 1; }
    say "debootstrap done in $((SECONDS - t))s"
    printf '#!/bin/sh\nexit 101\n' >"$part/usr/sbin/policy-rc.d"
    chmod +x "$part/usr/sbin/policy-rc.d"
    # A throwaway test chroot: no fsync per file, which is most of dpkg's time.
    echo force-unsafe-io >"$part/etc/dpkg/dpkg.cfg.d/hermes-unsafe-io"
    touch "$part/.hermes-debootstrap-done"
  fi
  cp /etc/resolv.conf "$part/etc/resolv.conf" 2>/dev/null || true
  t=$SECONDS
  step 30 chroot "$part" apt-get -q -o Acquire::Check-Valid-Until=false update >>"$log" 2>&1 ||
    { reason="apt-get update inside the sid chroot failed"; return 1; }
  step 80 chroot "$part" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    matrix-synapse >>"$log" 2>&1 ||
    { reason="apt-get install matrix-synapse in sid failed or timed out: $(tail -n 2 "$log" | tr '\n' ' ')"; return 1; }
  say "matrix-synapse installed in $((SECONDS - t))s"
  [ -x "$part/usr/bin/synapse_homeserver" ] || { reason="synapse_homeserver missing after install"; return 1; }
  chroot "$part" dpkg-query -W -f='matrix-synapse ${Version}' matrix-synapse >"$part/.hermes-synapse-version"
  chroot "$part" apt-get clean >/dev/null 2>&1 || true
  rm -rf "$root"
  mv "$part" "$root"
  mv "$log" "$root.install.log" 2>/dev/null || true
  return 0
}

reason=""
for try in 1 2; do
  say "attempt $try: debootstrap sid into $root from $mirror"
  if attempt; then
    printf 'ok: %s\n' "$(cat "$root/.hermes-synapse-version")" >"$status"
    say "installed $(cat "$root/.hermes-synapse-version") in $root (${SECONDS}s)"
    exit 0
  fi
  say "attempt $try failed: $reason"
  [ $((deadline - SECONDS)) -gt 30 ] || break
done
fail_soft "$reason (partial chroot kept in $root.partial: the next run resumes it)"
