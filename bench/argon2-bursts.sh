#!/usr/bin/env bash
# Two bursts at a fresh node that reach the Argon2 pool, with the shipped hashing settings:
#   gateway  32 concurrent introspections by one resource server whose secret the node has not checked
#            yet: how many Argon2 runs (vertx_pool_completed_total{pool_name="tessera-hash"}) and statuses
#   spray    one address sends 200 concurrent sign-ins with made-up usernames while another address signs
#            in, one request at a time, until the spray is answered: statuses of each
# Usage: bench/argon2-bursts.sh [JAR=target/tessera.jar] [LABEL]   (run from a checkout: the jar's conf/)
# Writes bench/results/argon2-bursts-<ts>.md. Compare two builds by running it once per jar.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-target/tessera.jar}")
LABEL=${2:-$(git rev-parse --short HEAD)}
for tool in curl jq java; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
T=localhost:$PORT
PID=
cleanup() { if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT

# A copy, so a rebuild during the run cannot pull the jar from under the server (as the other scripts do).
cp "$JAR" "$WORK/tessera.jar"
TESSERA_HTTP_PORT=$PORT TESSERA_ADMIN_PASSWORD=bench-admin-pw TESSERA_DATA_DIR="$WORK/data" \
  TESSERA_TRUSTED_PROXIES=127.0.0.1/32 java -jar "$WORK/tessera.jar" > "$WORK/tessera.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do curl -sf "$T/health/ready" >/dev/null && break; sleep 1; done
curl -sf "$T/health/ready" >/dev/null || { echo "Tessera did not become ready:" >&2; tail -20 "$WORK/tessera.log" >&2; exit 1; }

ADMIN=$(curl -s "$T/oauth2/token" -d grant_type=password -d client_id=tessera-cli -d username=admin \
  -d password=bench-admin-pw -d scope=admin | jq -r .access_token)
api() { curl -sf "$T$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "$2" >/dev/null; }
api /admin/api/clients '{"client_id":"gateway","name":"gw","confidential":true,"grant_types":["client_credentials"],"scopes":[],"introspect":true,"client_secret":"bench-gateway-secret"}'
api /admin/api/clients '{"client_id":"app","name":"app","confidential":false,"grant_types":["password"],"scopes":["read"]}'
api /admin/api/users '{"username":"bob","password":"bob-password-1","scopes":["read"]}'

hash_runs() { curl -s "$T/metrics" | awk '/^vertx_pool_completed_total\{pool_name="tessera-hash"/ {print $2}'; }
tally() { sort "$1" | uniq -c | awk '{printf "%s×%s ", $1, $2}'; }

before=$(hash_runs)
seq 1 32 | xargs -P 32 -I{} curl -s -o /dev/null -w '%{http_code}\n' -u gateway:bench-gateway-secret \
  "$T/oauth2/introspect" -d token=x > "$WORK/gateway.codes"
gateway_runs=$(python3 -c "print(int(float('$(hash_runs)') - float('$before')))")

seq 1 200 | xargs -P 200 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'X-Forwarded-For: 203.0.113.9' \
  "$T/oauth2/token" -d grant_type=password -d client_id=app -d 'username=nobody{}' -d password=guess > "$WORK/spray.codes" &
SPRAY=$!
: > "$WORK/real.codes"
while kill -0 $SPRAY 2>/dev/null; do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'X-Forwarded-For: 198.51.100.7' "$T/oauth2/token" \
    -d grant_type=password -d client_id=app -d username=bob -d password=bob-password-1 >> "$WORK/real.codes"
done
wait $SPRAY || true

mkdir -p bench/results
OUT=bench/results/argon2-bursts-$(date -u +%Y%m%dT%H%M%SZ).md
{
  echo "# Argon2 bursts — $LABEL ($(date -u +%FT%TZ), $(nproc) cores, shipped hashing settings)"
  echo
  echo "| burst | Argon2 runs | statuses |"
  echo "|---|---|---|"
  echo "| gateway: 32 concurrent introspections, secret not yet checked on this node | $gateway_runs | $(tally "$WORK/gateway.codes")|"
  echo "| spray: 200 concurrent sign-ins from one address | — | $(tally "$WORK/spray.codes")|"
  echo "| another address signing in meanwhile, one at a time | — | $(tally "$WORK/real.codes")|"
} | tee "$OUT"
echo "written to $OUT"
