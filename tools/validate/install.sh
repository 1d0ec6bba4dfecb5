#!/usr/bin/env bash
# Idempotent installer for the validators (used by CI):
#   - promtool, from Debian's "prometheus" package, only if promtool is missing
#   - the pinned npm dependencies (npm ci), only if package-lock.json changed since the last install
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v promtool >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install: apt-get install prometheus (for promtool)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  command -v promtool >/dev/null || { echo "install: promtool still missing after apt-get" >&2; exit 1; }
fi

stamp="$here/node_modules/.tessera-lock.sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install: npm ci in tools/validate"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
echo "install: validators ready ($(promtool --version 2>&1 | head -1 | cut -d' ' -f1-3), node $(node --version))"
