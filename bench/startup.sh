#!/usr/bin/env bash
# Start-up to ready: time from launching `java -jar tessera.jar` to the first GET /health/ready 200, with an
# already-initialised embedded PostgreSQL data directory (first start creates it and is not counted).
# usage: bench/startup.sh [RUNS=5]     env: JAVA_OPTS
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RUNS="${1:-5}"
SRC_JAR="${BENCH_JAR:-$ROOT/target/tessera.jar}"; CONF="${BENCH_CONF:-$ROOT/conf/tessera.json}"
[[ -n "${BENCH_JAR:-}" || -f "$SRC_JAR" ]] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)
WORK="$(mktemp -d /tmp/tessera-startup.XXXXXX)"
cp "$SRC_JAR" "$WORK/tessera.jar"; cp "$CONF" "$WORK/tessera.json"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
PID=""
stop() {
  [[ -n "$PID" ]] || return 0
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 250); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null || true
  PID=""
}
trap 'stop; [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"' EXIT
start() { # -> MS: milliseconds to ready (no command substitution: PID must stay in this shell)
  local t0 code
  t0="$(date +%s%N)"
  # shellcheck disable=SC2086
  (cd "$WORK" && exec env TESSERA_HTTP_PORT="$PORT" TESSERA_DATA_DIR="$WORK/data" TESSERA_ADMIN_PASSWORD=startup-bench-pw \
      java ${JAVA_OPTS:-} -Dtessera.config="$WORK/tessera.json" -jar "$WORK/tessera.jar" >>"$WORK/tessera.log" 2>&1) &
  PID=$!
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready" || true)"
    [[ "$code" == 200 ]] && break
    kill -0 "$PID" 2>/dev/null || { tail -20 "$WORK/tessera.log" >&2; exit 1; }
    sleep 0.02
  done
  MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
start
echo "initialising the data directory (not counted): $MS ms" >&2
stop
times=()
for i in $(seq 1 "$RUNS"); do
  start
  stop
  times+=("$MS")
  echo "run $i: $MS ms" >&2
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')"
echo "start-up to ready, median of $RUNS: $median ms (runs: ${times[*]} ms; load average $(cut -d' ' -f1-3 /proc/loadavg))"
