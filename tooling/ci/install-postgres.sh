#!/usr/bin/env bash
# Installs the PostgreSQL server binaries @hermes/state-postgres tests against (Debian's `postgresql`). The
# tests start a throwaway cluster of their own on 127.0.0.1 and a free port (src/testing), so no system
# cluster is needed: the install runs with services forbidden, and a default cluster that the package
# created anyway is stopped and set to manual start.
#
# Idempotent: when /usr/lib/postgresql/<N>/bin/{initdb,postgres} exist it installs nothing. When it cannot
# install (not root, no mirror), it exits 0 after writing the reason to the status file: the PostgreSQL
# suites then show up as SKIPPED with that reason, never as passed.
#
#   HERMES_POSTGRES_STATUS  status file the tests read (default /var/cache/hermes-ci/postgres.status)
set -uo pipefail

status="${HERMES_POSTGRES_STATUS:-/var/cache/hermes-ci/postgres.status}"

say() { echo "install-postgres: $*"; }
write_status() {
  mkdir -p "$(dirname "$status")" 2>/dev/null || true
  printf '%s\n' "$1" >"$status" 2>/dev/null || say "cannot write $status"
}
fail_soft() {
  write_status "unavailable: $1"
  say "giving up (tests will be skipped): $1"
  exit 0
}
server_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}
# Only after OUR install: a cluster the package just created is not ours to use, so stop it and keep it from
# starting at boot. A server that was already installed is left exactly as it was (it may be someone's).
quiet_new_clusters() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters --no-header 2>/dev/null | while read -r version cluster port state _; do
    if [ "$state" = "online" ]; then
      "${as_root[@]}" pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 && say "stopped the system cluster $version/$cluster (port $port)"
    fi
    conf="/etc/postgresql/$version/$cluster/start.conf"
    if [ -e "$conf" ]; then
      "${as_root[@]}" sed -i 's/^auto$/manual/' "$conf"
    fi
  done
}

if bin="$(server_bin)"; then
  write_status "ok: $("$bin/postgres" --version)"
  say "already installed: $("$bin/postgres" --version) in $bin"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  fail_soft "needs root (or passwordless sudo) to apt-get install postgresql"
fi
command -v apt-get >/dev/null 2>&1 || fail_soft "no apt-get here (not Debian/Ubuntu): install the PostgreSQL server and set HERMES_POSTGRES_BIN"

# The tests run their own server: forbid service starts for the duration of the install (policy-rc.d 101).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod +x "$policy"
  created_policy=1
fi
cleanup() {
  if [ "$created_policy" -eq 1 ]; then "${as_root[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

apt_install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q --no-install-recommends postgresql
}
# apt-get update only when the package is not known from the current lists.
if ! apt-cache show postgresql >/dev/null 2>&1 || ! apt_install; then
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive timeout 120 apt-get update -q ||
    fail_soft "apt-get update failed (no network or mirror?)"
  apt_install || fail_soft "apt-get install postgresql failed"
fi

bin="$(server_bin)" || fail_soft "postgresql installed but no /usr/lib/postgresql/<N>/bin/initdb and postgres found"
quiet_new_clusters
write_status "ok: $("$bin/postgres" --version)"
say "installed $("$bin/postgres" --version) in $bin"
