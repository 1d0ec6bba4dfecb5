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
#   PROP_ACK_TIMEOUT           passed as TESSERA_REVOCATION_ACK_TIMEOUT (default: conf/tessera.json's); PT0S
#                              measures revocations that answer without waiting for the other nodes
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

# shellcheck source=bench/lib/cluster.sh
source "$BENCH_DIR/lib/cluster.sh"
CLUSTER_KEEP_VAR=PROP_KEEP
CLUSTER_PORTS_FROM=ephemeral
ARGON2_KIB=1024

command -v java >/dev/null || die "java is required"
command -v curl >/dev/null || die "curl is required"
command -v python3 >/dev/null || die "python3 is required (free ports)"
build_jar_if_missing "$SRC_JAR"

work_dir_init tessera-prop "$SRC_JAR" "$CONF"
compile_bench_helpers
start_postgres

allocate_node_ports prop-admin
EXTRA_ENV=(TESSERA_TOKEN_RATE_PER_CLIENT=1000000)
[[ -n "${PROP_CATCHUP_INTERVAL:-}" ]] && EXTRA_ENV+=("TESSERA_CATCHUP_INTERVAL=$PROP_CATCHUP_INTERVAL")
[[ -n "${PROP_STALENESS_BOUND:-}" ]] && EXTRA_ENV+=("TESSERA_STALENESS_BOUND=$PROP_STALENESS_BOUND")
[[ -n "${PROP_ACK_TIMEOUT:-}" ]] && EXTRA_ENV+=("TESSERA_REVOCATION_ACK_TIMEOUT=$PROP_ACK_TIMEOUT")
start_cluster

# ---- driver
URLS="$(printf 'http://127.0.0.1:%s,' "${HTTP_PORTS[@]}")"
URLS="${URLS%,}"
CATCHUP="${PROP_CATCHUP_INTERVAL:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TESSERA_CATCHUP_INTERVAL"])' "$WORK/tessera.json")}"
BOUND="${PROP_STALENESS_BOUND:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TESSERA_STALENESS_BOUND"])' "$WORK/tessera.json")}"
ACK="${PROP_ACK_TIMEOUT:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TESSERA_REVOCATION_ACK_TIMEOUT"])' "$WORK/tessera.json")}"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "${PROP_JAR:-}" ]]; then
  JAR_DESC="jar $PROP_JAR"
else
  JAR_DESC="target/tessera.jar, tree at commit $COMMIT (working tree may differ)"
fi
LABEL="$JAR_DESC${PROP_NOTE:+ ($PROP_NOTE)}; catch-up interval $CATCHUP, staleness bound $BOUND, revocation ack timeout $ACK; \
one HTTP verticle per node; Argon2 1 MiB x 1; embedded PostgreSQL (zonky defaults: fsync off, synchronous_commit off); \
load average before the nodes started: $LOAD_BEFORE."
OUT="$RESULTS/propagation-$STAMP"
log "driver: $WARMUP warm-up + $TOKENS measured revocations at $RATE/s, $READERS readers on $READ_TOKENS live tokens"
timeout --kill-after=10 "$BUDGET" java -Xmx512m -cp "$JAR:$BENCH_CLASSES" "$BENCH_DIR/propagation/Driver.java" \
  nodes="$URLS" admin_password="$ADMIN_PASSWORD" tokens="$TOKENS" warmup_revocations="$WARMUP" read_tokens="$READ_TOKENS" rate="$RATE" \
  readers="$READERS" poll_timeout_ms="$POLL_TIMEOUT_MS" out="$OUT" label="$LABEL" 2> >(tee "$WORK/driver.log" >&2)
log "results: ${OUT#"$ROOT"/}.md, .json, .metrics.txt"
for i in 1 2 3; do
  # Known start-up noise: Hazelcast's module-access hint, its CP-subsystem notice, a duplicate Micrometer gauge.
  grep -E 'WARN|ERROR' "$WORK/node$i.log" \
    | grep -vE 'Java modular environment|CP Subsystem is not enabled|has been already registered|phone.home' \
    | tail -n 5 | sed "s/^/node $i: /" >&2 || true
done
