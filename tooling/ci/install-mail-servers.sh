#!/usr/bin/env bash
# Installs the mail servers @hermes/adapter-email tests against: dovecot (IMAP + LMTP) and postfix (SMTP)
# from Debian. The tests start throwaway instances on 127.0.0.1 with their own configs, so nothing here
# configures or starts a system service. Idempotent: a second run installs nothing. Needs root (or sudo).
set -euo pipefail

packages=(dovecot-imapd dovecot-lmtpd postfix)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-mail-servers: ${packages[*]} already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "install-mail-servers: needs root (or passwordless sudo) to apt-get install ${missing[*]}" >&2
  exit 1
fi

# Services must not start: the tests run their own instances on free ports. policy-rc.d answers 101
# ("action forbidden") to invoke-rc.d for the duration of the install only.
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

# postfix asks for a mail setup type; "No configuration" leaves /etc/postfix untouched.
echo "postfix postfix/main_mailer_type select No configuration" | "${as_root[@]}" debconf-set-selections

"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-mail-servers: installed ${missing[*]}"
