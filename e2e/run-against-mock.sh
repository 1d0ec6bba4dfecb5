#!/usr/bin/env bash
# Runs the same browser test against e2e/mock-server.mjs instead of Tessera:
# checks the panel itself (and the test) without the Java server.
# Screenshots go to e2e/test-results/screenshots unless SCREENSHOT_DIR is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${MOCK_PORT:-8089}"
export MOCK_PORT="$PORT" MOCK_ADMIN_PASSWORD="${MOCK_ADMIN_PASSWORD:-admin-password}"
node e2e/mock-server.mjs &
MOCK_PID=$!
trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
export TESSERA_URL="http://127.0.0.1:$PORT" TESSERA_ADMIN_USERNAME=admin TESSERA_ADMIN_PASSWORD="$MOCK_ADMIN_PASSWORD"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-e2e/test-results/screenshots}"
bash e2e/run.sh
