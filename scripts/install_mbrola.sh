#!/usr/bin/env bash
# Install the MBROLA voice pack used by the `mbrola` engine (voices/mbrola_en.yaml), from Debian.
#
#   sudo scripts/install_mbrola.sh            # or as root, e.g. in CI
#
# What it does:
#   1. enables Debian's `contrib` and `non-free` components (MBROLA's voices live there), for
#      deb822 sources (/etc/apt/sources.list.d/*.sources) and one-line sources.list alike;
#   2. apt-get installs eSpeak NG (its library and data, built with MBROLA support), the `mbrola`
#      synthesizer and the diphone databases listed below.
#
# Licence: the MBROLA program is AGPL-3.0, but the diphone databases (mbrola-xx1 ...) carry their
# own terms: free for non-commercial, non-military use only, with redistribution restrictions.
# Read /usr/share/doc/mbrola-<voice>/copyright before using a corpus made with them commercially.
set -euo pipefail

# The databases behind voices/mbrola_en.yaml: eSpeak NG has an English voice (mb-<db>[-en]) for each.
VOICES=(
  us1 us2 us3 en1          # American (1 female, 2 male) and British English
  de1 de2 de3 de4 de5 de6  # German diphones: German-accented English (mb-de1-en ... mb-de6-en)
  fr1 fr4                  # French   (mb-fr1-en, mb-fr4-en)
  pl1 hu1 nl2 gr2 ro1      # Polish, Hungarian, Dutch, Greek, Romanian (mb-xx1-en)
  af1 sw1 sw2              # Afrikaans, Swedish (mb-af1-en, mb-sw1-en, mb-sw2-en)
)

if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (apt-get install): sudo $0" >&2
  exit 1
fi

enable_components() {
  local changed=0 f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    # Only Debian's own archive: a deb822 stanza with a `Components: main` line.
    if grep -qE '^URIs:.*debian' "$f" && grep -qE '^Components:' "$f"; then
      for comp in contrib non-free; do
        if grep -E '^Components:' "$f" | grep -qvw -- "$comp"; then
          sed -i -E "/^Components:/{/[[:space:]]$comp([[:space:]]|\$)/!s/\$/ $comp/}" "$f"
          changed=1
        fi
      done
    fi
  done
  if [ -f /etc/apt/sources.list ]; then
    for comp in contrib non-free; do
      if grep -qE '^deb .*debian.* main' /etc/apt/sources.list && grep -E '^deb .*debian.* main' /etc/apt/sources.list | grep -qvw -- "$comp"; then
        sed -i -E "/^deb .*debian.* main/{/[[:space:]]$comp([[:space:]]|\$)/!s/\$/ $comp/}" /etc/apt/sources.list
        changed=1
      fi
    done
  fi
  return 0
}

enable_components
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

packages=(espeak-ng libespeak-ng1 espeak-ng-data mbrola)
missing=()
for v in "${VOICES[@]}"; do
  if apt-cache show "mbrola-$v" >/dev/null 2>&1; then
    packages+=("mbrola-$v")
  else
    missing+=("mbrola-$v")
  fi
done
apt-get install -y -qq --no-install-recommends "${packages[@]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "note: not in this distribution's archive, skipped: ${missing[*]}" >&2
fi
echo "MBROLA voices installed under /usr/share/mbrola: $(ls /usr/share/mbrola | tr '\n' ' ')"
