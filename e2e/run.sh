#!/usr/bin/env bash
# Browser end-to-end test of the admin panel against a RUNNING Tessera.
# Builds nothing and starts no server.
#
#   TESSERA_URL=http://127.0.0.1:8080 TESSERA_ADMIN_PASSWORD=secret e2e/run.sh
#
# Env: TESSERA_URL (default http://127.0.0.1:8080), TESSERA_ADMIN_USERNAME (admin),
#      TESSERA_ADMIN_PASSWORD (required), CHROMIUM_PATH (/usr/bin/chromium),
#      SCREENSHOT_DIR (docs/screenshots), TESSERA_WAIT_SECONDS (30: wait for the server).
set -euo pipefail
cd "$(dirname "$0")/.."

export TESSERA_URL="${TESSERA_URL:-http://127.0.0.1:8080}"
if [ -z "${TESSERA_ADMIN_PASSWORD:-}" ]; then
  echo "e2e/run.sh: set TESSERA_ADMIN_PASSWORD to the admin password of the Tessera at $TESSERA_URL" >&2
  exit 2
fi

export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "e2e/run.sh: installing Debian's chromium" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e/run.sh: no browser at $CHROMIUM_PATH; install Debian's chromium (apt-get install chromium)" >&2
    exit 2
  fi
fi

# Playwright must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)

# Give a just-started server a moment.
node -e '
  const url = process.env.TESSERA_URL + "/admin/";
  const until = Date.now() + 1000 * Number(process.env.TESSERA_WAIT_SECONDS || 30);
  (async () => {
    for (;;) {
      try { const r = await fetch(url); if (r.ok) return; } catch {}
      if (Date.now() > until) { console.error(`e2e/run.sh: no Tessera answering at ${url}`); process.exit(2); }
      await new Promise((ok) => setTimeout(ok, 500));
    }
  })();'

exec node --test e2e/admin-panel.test.mjs
