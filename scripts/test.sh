#!/usr/bin/env bash
# Set up everything the tests need and run them: the README's test command, and what CI runs.
#
#   bash scripts/test.sh            # the default test run (tests marked slow or extras excluded)
#   bash scripts/test.sh --all      # then the heavy extras and the slow and extras tests too (CI)
#
# Installs: Debian packages (apt through sudo when not root): every voice engine
# (scripts/install_voices.sh --apt-only), flac, Chromium and its driver for the review page test, valgrind
# (a memory check of the eSpeak NG state restore);
# a venv in .venv-test (or $VENV) with the test extra (every voice PyPI ships, dask, the PII and export
# libraries; no torch). --all then adds the CPU build of torch (lhotse and coqui-tts ask for torch, and
# an unpinned torch is a multi-GB CUDA build) and the test-extras extra: lhotse, Coqui, NeMo's normalizer.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends flac chromium chromium-driver valgrind >/dev/null
bash scripts/install_voices.sh --apt-only

VENV=${VENV:-.venv-test}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
. "$VENV/bin/activate"
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[test]'

run_pytest() {
  # pytest exits 5 when it collected no test: that is a failure, not a pass.
  set +e
  python -m pytest "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then echo "pytest collected no tests for: $*" >&2; return 1; fi
  return "$rc"
}

# Lint and format first (pyproject.toml [tool.ruff]): a violation fails the run before any test.
python -m ruff check .
python -m ruff format --check .

run_pytest -q -rs
if [ "${1:-}" = "--all" ]; then
  python -m pip install -q torch==2.13.0
  python -m pip install -q -e '.[test,test-extras]'
  run_pytest -q -rs -m 'slow or extras'
fi
