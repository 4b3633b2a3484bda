#!/usr/bin/env bash
# Installs what the @hermes/gateway voice tests need from Debian: espeak-ng (real speech as WAV for the
# speech-to-text path and the fake TTS) and ffmpeg (WAV → Ogg/Opus voice notes). Idempotent: a second run
# installs nothing. Never fails the CI step: when the tools cannot be installed it writes why to the reason
# file and exits 0, and the voice tests report themselves SKIPPED with that reason.
set -uo pipefail

reason_file="${HERMES_VOICE_TOOLS_REASON_FILE:-${TMPDIR:-/tmp}/hermes-voice-tools.reason}"
packages=(espeak-ng ffmpeg)

give_up() {
  echo "install-voice-tools: $1" >&2
  printf '%s\n' "$1" >"$reason_file" 2>/dev/null || true
  exit 0
}

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  rm -f "$reason_file"
  echo "install-voice-tools: ${packages[*]} already installed"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || give_up "apt-get not found: install ${missing[*]} with this system's package manager"

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  give_up "needs root (or passwordless sudo) to apt-get install ${missing[*]}"
fi

# Another apt run (a parallel CI step) holds the dpkg lock: wait for it rather than failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q \
  || give_up "apt-get update failed: check the network and the apt sources"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${missing[@]}" \
  || give_up "apt-get install ${missing[*]} failed: see the apt output above"

for tool in espeak-ng ffmpeg; do
  command -v "$tool" >/dev/null 2>&1 || give_up "$tool still not on PATH after installing it"
done
rm -f "$reason_file"
echo "install-voice-tools: installed ${missing[*]}"
