#!/usr/bin/env bash
# Installs what the browser test needs; run by the build (generate-test-resources). It never skips: a missing
# browser stops the build with a message saying what to install.
#  - playwright-core (pinned in package-lock.json), which drives a Chromium and downloads none;
#  - a Chromium: $CHROMIUM if set, else /usr/bin/chromium (Debian's package `chromium`), installed with apt-get
#    when this runs as root and it is missing. Playwright's own `install chromium` is not used: its download
#    host is not one this build may assume reachable.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "The browser test needs Node.js (18 or newer) and npm on the PATH. On Debian/Ubuntu: sudo apt-get install nodejs npm" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ -n "${CHROMIUM:-}" ]; then
    echo "CHROMIUM=$CHROMIUM is not an executable file." >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser test (apt-get install chromium)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    apt-get install -y -qq --no-install-recommends chromium >&2
  fi
fi
if [ ! -x "$chromium" ]; then
  echo "The browser test needs a Chromium at $chromium and none could be installed." >&2
  echo "Install Debian's package: sudo apt-get install chromium (or set CHROMIUM=/path/to/chrome)." >&2
  exit 1
fi
