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

# shellcheck source=bench/lib/cluster.sh
source "$BENCH_DIR/lib/cluster.sh"
CLUSTER_KEEP_VAR=SOAK_KEEP
ARGON2_KIB=4096
NODE_GC_LOG=1

[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || die "SOAK_MINUTES must be a positive integer"
[[ "$NODES" == 2 || "$NODES" == 3 ]] || die "SOAK_NODES must be 2 or 3"
for tool in java jcmd curl python3; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ -f "$PG_JAVA" ]] || die "$PG_JAVA is missing (the embedded PostgreSQL launcher shared with bench/propagation.sh)"
build_jar_if_missing "$SRC_JAR"

work_dir_init tessera-soak "$SRC_JAR" "$CONF"
compile_bench_helpers
start_postgres

allocate_node_ports soak-admin
EXTRA_ENV=("TESSERA_ACCESS_TTL=$ACCESS_TTL")
[[ -n "${SOAK_REFRESH_TTL:-}" ]] && EXTRA_ENV+=("TESSERA_REFRESH_TTL=$SOAK_REFRESH_TTL")
start_cluster

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
timeout --kill-after=10 "$BUDGET" java -Xmx512m -cp "$JAR:$BENCH_CLASSES" "$BENCH_DIR/soak/Soak.java" \
  nodes="$(join "${URLS[@]}")" pids="$(join "${NODE_PIDS[@]}")" admin_password="$ADMIN_PASSWORD" \
  jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" logs="$(join "${LOGS[@]}")" gc_logs="$(join "${GC_LOGS[@]}")" \
  minutes="$MINUTES" signin="$SIGNIN_RATE" refresh="$REFRESH_RATE" introspect="$INTROSPECT_RATE" verify="$VERIFY_RATE" \
  revoke="$REVOKE_RATE" check_ms="$CHECK_MS" out="$OUT" label="$LABEL" 2> >(tee "$WORK/driver.log" >&2)
log "results: ${OUT#"$ROOT"/}.md, .json"
