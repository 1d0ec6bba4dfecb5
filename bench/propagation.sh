#!/usr/bin/env bash
# Revocation-propagation benchmark (DESIGN §5, issue 7 item 6): three clustered Tessera nodes from the fat jar
# on this machine, one shared PostgreSQL, warm caches, revocations at a steady rate while readers introspect
# on every node; reports how long each revocation took to be seen on the other nodes and how many stale
# "active" answers clients got after the revoke had returned 200.
#
#   bench/propagation.sh                  # defaults: 300 revocations at 50/s, about 1-2 minutes in all
#   PROP_TOKENS=1000 PROP_RATE=100 bench/propagation.sh
#
# What runs (loopback only, everything in a temporary directory, all of it stopped on exit):
#   PostgreSQL  embedded (io.zonky, from tessera.jar) via bench/propagation/Pg.java on a free port
#   3 nodes     java -jar tessera.jar, TESSERA_CLUSTER=true, Hazelcast TCP-IP join over 127.0.0.1, one HTTP
#               verticle each, cheap Argon2 so setup is fast; node 1 starts first (schema migration, admin
#               bootstrap), then nodes 2 and 3; the run starts only when every node reports
#               /health/ready 200 and tessera_cluster_members 3.0
#   driver      bench/propagation/Driver.java (single-file program on tessera.jar's classpath): creates the
#               clients, the user and the tokens through the API, warms all three caches, runs the
#               revocations and the readers, scrapes /metrics, writes the results.
#
# Results: bench/results/propagation-<UTC stamp>.md, .json (and .metrics.txt, each node's tessera_* metrics
# after the run).
#
# Environment:
#   PROP_TOKENS=300            tokens revoked (one password-grant session each)
#   PROP_RATE=50               revocations per second, round-robin over the three nodes
#   PROP_WARMUP=50             revocations run first at the same rate and not counted (JIT/connection warm-up)
#   PROP_READERS=4             reader threads introspecting other live tokens on all nodes (closed loop)
#   PROP_READ_TOKENS=30        live tokens the readers use (never revoked)
#   PROP_POLL_TIMEOUT_MS=10000 give up waiting for one node to see one revocation after this long
#   PROP_CATCHUP_INTERVAL      passed to the nodes as TESSERA_CATCHUP_INTERVAL (default: conf/tessera.json's)
#   PROP_STALENESS_BOUND       passed as TESSERA_STALENESS_BOUND (default: conf/tessera.json's)
#   PROP_JAR=target/tessera.jar  the jar to run (built with mvn -o if missing); a private copy is used
#   PROP_CONF=conf/tessera.json  the defaults file given to the nodes (must match the jar: unknown keys are
#                              refused at start-up); a private copy is used
#   PROP_NODE_JAVA_OPTS="-Xmx768m"  JVM flags for each node
#   PROP_BUDGET=600            hard limit in seconds for the driver
#   PROP_NOTE=...              free text added to the results header (e.g. which commit the jar was built from)
#   PROP_KEEP=1                keep the temporary directory (node and PostgreSQL logs)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

TOKENS="${PROP_TOKENS:-300}"
RATE="${PROP_RATE:-50}"
READERS="${PROP_READERS:-4}"
WARMUP="${PROP_WARMUP:-50}"
READ_TOKENS="${PROP_READ_TOKENS:-30}"
POLL_TIMEOUT_MS="${PROP_POLL_TIMEOUT_MS:-10000}"
BUDGET="${PROP_BUDGET:-600}"
NODE_JAVA_OPTS="${PROP_NODE_JAVA_OPTS:--Xmx768m}"
SRC_JAR="${PROP_JAR:-$ROOT/target/tessera.jar}"
CONF="${PROP_CONF:-$ROOT/conf/tessera.json}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
NODES=3

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

command -v java >/dev/null || die "java is required"
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required (free ports)"
if [[ ! -f "$SRC_JAR" ]]; then
  log "building target/tessera.jar"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests)
fi

# Inherited TESSERA_* settings would silently change the nodes; the script sets what it needs explicitly.
for v in $(compgen -e | grep '^TESSERA_' || true); do unset "$v"; done

WORK="$(mktemp -d /tmp/tessera-prop.XXXXXX)"
# Private copies: other people rebuilding target/ or editing conf/ must not change a running benchmark.
cp "$SRC_JAR" "$WORK/tessera.jar"
cp "$CONF" "$WORK/tessera.json"
JAR="$WORK/tessera.jar"
PG_PID=""
NODE_PIDS=()

stop_pid() { # pid [seconds]
  local pid="$1" wait_s="${2:-15}"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait_s * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid did not stop in ${wait_s}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  local stoppers=()
  for pid in "${NODE_PIDS[@]}"; do
    stop_pid "$pid" 20 &
    stoppers+=($!)
  done
  # Only the stoppers: a bare `wait` would also wait for PostgreSQL, which is still running.
  for pid in "${stoppers[@]}"; do wait "$pid"; done
  stop_pid "$PG_PID" 20
  # If the PostgreSQL wrapper had to be killed, its server is orphaned: stop it by its own pid file.
  local pm="$WORK/pgdata/postmaster.pid"
  if [[ -f "$pm" ]]; then
    local pgpid
    pgpid="$(head -1 "$pm" 2>/dev/null)"
    if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null && grep -q "$WORK/pgdata" "/proc/$pgpid/cmdline" 2>/dev/null; then
      kill -INT "$pgpid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  if [[ $rc -ne 0 ]]; then
    log "failed (exit $rc); last lines of the logs:"
    for f in "$WORK"/*.log; do
      [[ -f "$f" ]] || continue
      echo "---- $f" >&2
      tail -n 15 "$f" >&2
    done
  fi
  if [[ "${PROP_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    log "logs kept in $WORK"
    rm -f "$WORK/tessera.jar"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # description deadline_s pid log command...
  local what="$1" limit="$2" deadline=$((SECONDS + $2)) pid="$3" logf="$4"
  shift 4
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$what: process $pid exited (see $logf)"
    ((SECONDS < deadline)) || die "$what: not within ${limit}s (see $logf)"
    sleep 0.25
  done
}

# ---- PostgreSQL
PG_PORT="$(free_port)"
log "starting embedded PostgreSQL on 127.0.0.1:$PG_PORT"
java -Xmx128m -cp "$JAR" "$BENCH_DIR/propagation/Pg.java" "$PG_PORT" "$WORK/pgdata" >"$WORK/pg.log" 2>&1 &
PG_PID=$!
wait_for "PostgreSQL" 120 "$PG_PID" "$WORK/pg.log" grep -q '^PG READY' "$WORK/pg.log"

# ---- nodes
ADMIN_PASSWORD="prop-admin-$RANDOM-$RANDOM-$RANDOM"
HTTP_PORTS=()
CLUSTER_PORTS=()
for i in $(seq 1 $NODES); do
  HTTP_PORTS+=("$(free_port)")
  CLUSTER_PORTS+=("$(free_port)")
done
MEMBERS="$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")"
MEMBERS="${MEMBERS%,}"
EXTRA_ENV=()
[[ -n "${PROP_CATCHUP_INTERVAL:-}" ]] && EXTRA_ENV+=("TESSERA_CATCHUP_INTERVAL=$PROP_CATCHUP_INTERVAL")
[[ -n "${PROP_STALENESS_BOUND:-}" ]] && EXTRA_ENV+=("TESSERA_STALENESS_BOUND=$PROP_STALENESS_BOUND")

start_node() { # index (1-based)
  local i="$1" dir="$WORK/node$1"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  (cd "$dir" && exec env \
    TESSERA_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
    TESSERA_HTTP_PORT="${HTTP_PORTS[$((i - 1))]}" \
    TESSERA_HTTP_INSTANCES=1 TESSERA_TOKEN_RATE_PER_CLIENT=1000000 \
    TESSERA_DATA_DIR="$dir/data" \
    TESSERA_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    TESSERA_ARGON2_MEMORY_KIB=1024 \
    TESSERA_ARGON2_ITERATIONS=1 \
    TESSERA_CLUSTER=true \
    TESSERA_CLUSTER_HOST=127.0.0.1 \
    TESSERA_CLUSTER_PORT="${CLUSTER_PORTS[$((i - 1))]}" \
    TESSERA_CLUSTER_MEMBERS="$MEMBERS" \
    "${EXTRA_ENV[@]}" \
    java $NODE_JAVA_OPTS -Dtessera.config="$WORK/tessera.json" -jar "$JAR") >"$WORK/node$i.log" 2>&1 &
  NODE_PIDS+=($!)
}
ready() { curl -fsS -m 2 "http://127.0.0.1:$1/health/ready"; }
members3() { curl -fsS -m 2 "http://127.0.0.1:$1/metrics" | grep -Eq '^tessera_cluster_members(\{[^}]*\})? 3(\.0)?$'; }

log "starting node 1 (http $((HTTP_PORTS[0])), hazelcast ${CLUSTER_PORTS[0]})"
start_node 1
wait_for "node 1 ready" 120 "${NODE_PIDS[0]}" "$WORK/node1.log" ready "${HTTP_PORTS[0]}"
log "starting nodes 2 and 3 (http ${HTTP_PORTS[1]} ${HTTP_PORTS[2]}, hazelcast ${CLUSTER_PORTS[1]} ${CLUSTER_PORTS[2]})"
start_node 2
start_node 3
for i in 2 3; do
  wait_for "node $i ready" 120 "${NODE_PIDS[$((i - 1))]}" "$WORK/node$i.log" ready "${HTTP_PORTS[$((i - 1))]}"
done
for i in 1 2 3; do
  wait_for "node $i sees 3 cluster members" 60 "${NODE_PIDS[$((i - 1))]}" "$WORK/node$i.log" members3 "${HTTP_PORTS[$((i - 1))]}"
done
log "cluster of 3 ready"

# ---- driver
URLS="$(printf 'http://127.0.0.1:%s,' "${HTTP_PORTS[@]}")"
URLS="${URLS%,}"
CATCHUP="${PROP_CATCHUP_INTERVAL:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TESSERA_CATCHUP_INTERVAL"])' "$WORK/tessera.json")}"
BOUND="${PROP_STALENESS_BOUND:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TESSERA_STALENESS_BOUND"])' "$WORK/tessera.json")}"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "${PROP_JAR:-}" ]]; then
  JAR_DESC="jar $PROP_JAR"
else
  JAR_DESC="target/tessera.jar, tree at commit $COMMIT (working tree may differ)"
fi
LABEL="$JAR_DESC${PROP_NOTE:+ ($PROP_NOTE)}; catch-up interval $CATCHUP, staleness bound $BOUND; \
one HTTP verticle per node; Argon2 1 MiB x 1; embedded PostgreSQL (zonky defaults: fsync off, synchronous_commit off); \
load average before the nodes started: $LOAD_BEFORE."
OUT="$RESULTS/propagation-$STAMP"
log "driver: $WARMUP warm-up + $TOKENS measured revocations at $RATE/s, $READERS readers on $READ_TOKENS live tokens"
timeout --kill-after=10 "$BUDGET" java -Xmx512m -cp "$JAR" "$BENCH_DIR/propagation/Driver.java" \
  nodes="$URLS" admin_password="$ADMIN_PASSWORD" tokens="$TOKENS" warmup_revocations="$WARMUP" read_tokens="$READ_TOKENS" rate="$RATE" \
  readers="$READERS" poll_timeout_ms="$POLL_TIMEOUT_MS" out="$OUT" label="$LABEL" 2> >(tee "$WORK/driver.log" >&2)
log "results: ${OUT#"$ROOT"/}.md, .json, .metrics.txt"
for i in 1 2 3; do
  # Known start-up noise: Hazelcast's module-access hint, its CP-subsystem notice, a duplicate Micrometer gauge.
  grep -E 'WARN|ERROR' "$WORK/node$i.log" \
    | grep -vE 'Java modular environment|CP Subsystem is not enabled|has been already registered|phone.home' \
    | tail -n 5 | sed "s/^/node $i: /" >&2 || true
done
