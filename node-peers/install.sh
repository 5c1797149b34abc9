#!/usr/bin/env bash
# Installs the pinned node-ipc and socket-ipc peers for the interop suite; run by the build (generate-test-resources).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "The interop suite needs Node.js (18 or newer) and npm on the PATH, and neither may be skipped." >&2
  echo "Install them, e.g. on Debian/Ubuntu: sudo apt-get install nodejs npm" >&2
  exit 1
fi
# The lockfile pins node-ipc 14.0.0, @achrinza/node-ipc 10.1.11 and @crussell52/socket-ipc 0.4.0 exactly; install scripts never run.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
