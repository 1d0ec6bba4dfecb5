#!/usr/bin/env bash
# Soak (issue 6 item 7): a bounded run of a steady mixed workload — sign-in, refresh, introspection, forward
# auth, RFC 7009 revocation — on 3 (or 2) clustered Tessera nodes, reporting every minute the live heap after a
# full GC on each node, request counts, errors, stale-active answers after revocations, latency p50/p99 per
# endpoint and each node's token-cache size. Nothing may grow without bound: growth of the live heap (or of the
# cache, threads, open files) by more than 20 % from minute 2 to the last minute is flagged as a warning.
#
#   bench/soak.sh                                     # 10 minutes, 3 nodes, default rates
#   SOAK_MINUTES=30 SOAK_INTROSPECT_RATE=300 bench/soak.sh
#   SOAK_JAR=/tmp/build/target/tessera.jar bench/soak.sh
#
# What runs (loopback only, everything in a temporary directory, all of it stopped on exit):
#   PostgreSQL  embedded (io.zonky, from the jar) via bench/propagation/Pg.java on a free port
#   nodes       java -Xmx512m -jar tessera.jar, TESSERA_CLUSTER=true over 127.0.0.1, one HTTP verticle each,
#               Argon2 4 MiB x 1, GC log (-Xlog:gc) per node; node 1 first (migration, admin bootstrap), then
#               the others; the run starts when every node is ready and sees all members
#   driver      bench/soak/Soak.java (single-file program on the jar's classpath): creates the clients and
#               users through the admin API, runs the workload open-loop, measures every minute (jcmd
#               GC.class_histogram = full GC + live heap, GC.heap_info, /metrics, row counts over JDBC) and
#               writes the report. See the header of Soak.java for exactly what counts as an error.
#
# Results: bench/results/soak-<UTC stamp>.md and .json.
#
# Environment:
#   SOAK_MINUTES=10              measured minutes (the run ends by itself; the whole script is bounded by
#                                SOAK_MINUTES*60 + 300 s for the driver plus start-up and shutdown)
#   SOAK_NODES=3                 2 or 3
#   SOAK_SIGNIN_RATE=20 SOAK_REFRESH_RATE=10 SOAK_INTROSPECT_RATE=500 SOAK_VERIFY_RATE=500 SOAK_REVOKE_RATE=10
#                                operations per second (spread over the nodes)
#   SOAK_CHECK_MS=1500           a revoked token must be inactive on every other node this long after the 200
#   SOAK_ACCESS_TTL=PT2M         TESSERA_ACCESS_TTL for the nodes: short, so tokens (and the cache) reach a steady
#                                state within the run instead of growing for the first 15 minutes by design
#   SOAK_REFRESH_TTL             TESSERA_REFRESH_TTL (default: the conf file's, P30D)
#   SOAK_JAR=target/tessera.jar  the jar to run (built with mvn -o if missing); a private copy is used
#   SOAK_CONF                    defaults file given to the nodes (must match the jar; default: conf/tessera.json of
#                                the tree the jar was built in, i.e. <jar dir>/../conf); a private copy is used
#   SOAK_NODE_JAVA_OPTS="-Xmx512m -XX:+UseG1GC"   JVM flags for each node (a GC log flag is added)
#   SOAK_KEEP=1                  keep the temporary directory (node, GC and PostgreSQL logs)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

MINUTES="${SOAK_MINUTES:-10}"
NODES="${SOAK_NODES:-3}"
SIGNIN_RATE="${SOAK_SIGNIN_RATE:-20}"
REFRESH_RATE="${SOAK_REFRESH_RATE:-10}"
INTROSPECT_RATE="${SOAK_INTROSPECT_RATE:-500}"
VERIFY_RATE="${SOAK_VERIFY_RATE:-500}"
REVOKE_RATE="${SOAK_REVOKE_RATE:-10}"
CHECK_MS="${SOAK_CHECK_MS:-1500}"
ACCESS_TTL="${SOAK_ACCESS_TTL:-PT2M}"
NODE_JAVA_OPTS="${SOAK_NODE_JAVA_OPTS:--Xmx512m -XX:+UseG1GC}"
SRC_JAR="${SOAK_JAR:-$ROOT/target/tessera.jar}"
# The defaults file must match the jar (unknown keys stop a node): take the one of the tree the jar was built in.
JAR_TREE_CONF="$(cd "$(dirname "$SRC_JAR")/.." 2>/dev/null && pwd)/conf/tessera.json"
if [[ -z "${SOAK_CONF:-}" && -f "$JAR_TREE_CONF" ]]; then
  CONF="$JAR_TREE_CONF"
else
  CONF="${SOAK_CONF:-$ROOT/conf/tessera.json}"
fi
PG_JAVA="$BENCH_DIR/propagation/Pg.java"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# A free port BELOW the kernel's ephemeral range: a port from bind(0) is ephemeral, and between closing it here
# and the node binding it, any outgoing connection (a node's pool to PostgreSQL, Hazelcast, the driver) may take
# it (seen: a node failing with "BindException: Address already in use"). Sets FREE_PORT (no subshell, so ports
# handed out once are remembered and not handed out again).
USED_PORTS=" "
FREE_PORT=""
free_port() {
  local p
  p="$(python3 - "$USED_PORTS" <<'PY'
import random, socket, sys
used = set(int(x) for x in sys.argv[1].split())
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except Exception:
    low = 32768
low = max(low, 12000)
for _ in range(500):
    port = random.randrange(10000, low)
    if port in used:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    sys.exit("no free port")
PY
)"
  USED_PORTS+="$p "
  FREE_PORT="$p"
}

[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || die "SOAK_MINUTES must be a positive integer"
[[ "$NODES" == 2 || "$NODES" == 3 ]] || die "SOAK_NODES must be 2 or 3"
for tool in java jcmd curl python3; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -f "$PG_JAVA" ]] || die "$PG_JAVA is missing (the embedded PostgreSQL launcher shared with bench/propagation.sh)"
if [[ ! -f "$SRC_JAR" ]]; then
  log "building target/tessera.jar"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests)
fi

# Inherited TESSERA_* settings would silently change the nodes; the script sets what it needs explicitly.
for v in $(compgen -e | grep '^TESSERA_' || true); do unset "$v"; done

WORK="$(mktemp -d /tmp/tessera-soak.XXXXXX)"
# Private copies: other people rebuilding target/ or editing conf/ must not change a running soak.
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
  if [[ "${SOAK_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
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
free_port
PG_PORT="$FREE_PORT"
log "starting embedded PostgreSQL on 127.0.0.1:$PG_PORT"
java -Xmx128m -cp "$JAR" "$PG_JAVA" "$PG_PORT" "$WORK/pgdata" >"$WORK/pg.log" 2>&1 &
PG_PID=$!
wait_for "PostgreSQL" 120 "$PG_PID" "$WORK/pg.log" grep -q '^PG READY' "$WORK/pg.log"

# ---- nodes
ADMIN_PASSWORD="soak-admin-$RANDOM-$RANDOM-$RANDOM"
HTTP_PORTS=()
CLUSTER_PORTS=()
for i in $(seq 1 "$NODES"); do
  free_port
  HTTP_PORTS+=("$FREE_PORT")
  free_port
  CLUSTER_PORTS+=("$FREE_PORT")
done
MEMBERS="$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")"
MEMBERS="${MEMBERS%,}"
EXTRA_ENV=("TESSERA_ACCESS_TTL=$ACCESS_TTL")
[[ -n "${SOAK_REFRESH_TTL:-}" ]] && EXTRA_ENV+=("TESSERA_REFRESH_TTL=$SOAK_REFRESH_TTL")

start_node() { # index (1-based)
  local i="$1" dir="$WORK/node$1"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  (cd "$dir" && exec env \
    TESSERA_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
    TESSERA_HTTP_PORT="${HTTP_PORTS[$((i - 1))]}" \
    TESSERA_HTTP_INSTANCES=1 \
    TESSERA_DATA_DIR="$dir/data" \
    TESSERA_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    TESSERA_ARGON2_MEMORY_KIB=4096 \
    TESSERA_ARGON2_ITERATIONS=1 \
    TESSERA_CLUSTER=true \
    TESSERA_CLUSTER_HOST=127.0.0.1 \
    TESSERA_CLUSTER_PORT="${CLUSTER_PORTS[$((i - 1))]}" \
    TESSERA_CLUSTER_MEMBERS="$MEMBERS" \
    "${EXTRA_ENV[@]}" \
    java $NODE_JAVA_OPTS "-Xlog:gc:file=$WORK/node$i-gc.log:uptime,level,tags" \
      -Dtessera.config="$WORK/tessera.json" -jar "$JAR") >"$WORK/node$i.log" 2>&1 &
  NODE_PIDS+=($!)
}
ready() { curl -fsS -m 2 "http://127.0.0.1:$1/health/ready"; }
members_all() { curl -fsS -m 2 "http://127.0.0.1:$1/metrics" | grep -Eq "^tessera_cluster_members(\{[^}]*\})? $NODES(\.0)?\$"; }

log "starting node 1 (http ${HTTP_PORTS[0]}, hazelcast ${CLUSTER_PORTS[0]})"
start_node 1
wait_for "node 1 ready" 120 "${NODE_PIDS[0]}" "$WORK/node1.log" ready "${HTTP_PORTS[0]}"
for i in $(seq 2 "$NODES"); do
  log "starting node $i (http ${HTTP_PORTS[$((i - 1))]}, hazelcast ${CLUSTER_PORTS[$((i - 1))]})"
  start_node "$i"
done
for i in $(seq 2 "$NODES"); do
  wait_for "node $i ready" 120 "${NODE_PIDS[$((i - 1))]}" "$WORK/node$i.log" ready "${HTTP_PORTS[$((i - 1))]}"
done
for i in $(seq 1 "$NODES"); do
  wait_for "node $i sees $NODES cluster members" 60 "${NODE_PIDS[$((i - 1))]}" "$WORK/node$i.log" members_all "${HTTP_PORTS[$((i - 1))]}"
done
log "cluster of $NODES ready (pids ${NODE_PIDS[*]})"

# ---- driver
join() { local IFS=,; echo "$*"; }
URLS=()
LOGS=()
GC_LOGS=()
for i in $(seq 1 "$NODES"); do
  URLS+=("http://127.0.0.1:${HTTP_PORTS[$((i - 1))]}")
  LOGS+=("$WORK/node$i.log")
  GC_LOGS+=("$WORK/node$i-gc.log")
done
conf_value() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/tessera.json" "$1"; }
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
JAR_SUM="$(sha256sum "$JAR" | cut -c1-12)"
LABEL="Jar \`${SRC_JAR/#$ROOT\//}\` (sha256 $JAR_SUM; $ROOT at commit $COMMIT, working tree may differ). \
Nodes: \`$NODE_JAVA_OPTS\`, one HTTP verticle, Argon2 4 MiB x 1, access TTL $ACCESS_TTL, refresh TTL ${SOAK_REFRESH_TTL:-$(conf_value TESSERA_REFRESH_TTL)}, \
catch-up interval $(conf_value TESSERA_CATCHUP_INTERVAL), staleness bound $(conf_value TESSERA_STALENESS_BOUND); \
embedded PostgreSQL (zonky defaults: fsync off); driver, nodes and PostgreSQL share this machine. \
Load average before the nodes started: $LOAD_BEFORE."
OUT="$RESULTS/soak-$STAMP"
BUDGET=$((MINUTES * 60 + 300))
log "driver: $MINUTES minutes; per second $SIGNIN_RATE sign-ins, $REFRESH_RATE refreshes, $INTROSPECT_RATE introspections, \
$VERIFY_RATE verifies, $REVOKE_RATE revocations (stale check after ${CHECK_MS} ms); hard limit ${BUDGET}s"
timeout --kill-after=10 "$BUDGET" java -Xmx512m -cp "$JAR" "$BENCH_DIR/soak/Soak.java" \
  nodes="$(join "${URLS[@]}")" pids="$(join "${NODE_PIDS[@]}")" admin_password="$ADMIN_PASSWORD" \
  jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" logs="$(join "${LOGS[@]}")" gc_logs="$(join "${GC_LOGS[@]}")" \
  minutes="$MINUTES" signin="$SIGNIN_RATE" refresh="$REFRESH_RATE" introspect="$INTROSPECT_RATE" verify="$VERIFY_RATE" \
  revoke="$REVOKE_RATE" check_ms="$CHECK_MS" out="$OUT" label="$LABEL" 2> >(tee "$WORK/driver.log" >&2)
log "results: ${OUT#"$ROOT"/}.md, .json"
