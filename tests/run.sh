#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it.
# Used as-is by .ci/run; on your machine: `bash tests/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the real-browser tests (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
python -m ruff check .
python -m pytest "$@"
