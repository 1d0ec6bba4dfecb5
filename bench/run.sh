#!/usr/bin/env bash
# Tessera load benchmark: Tessera (embedded PostgreSQL, one event-loop verticle per core) against its
# same-run limits (bench/baseline/Baseline.java), all loaded with wrk from a second process:
#   bare baseline      Vert.x core, same request shape, fixed answer: the limit of the cache-hit rows
#   database baseline  Vert.x core + vertx-pg-client running Tessera's own SQL (TokenStore's lookup; the two
#                      inserts of a client_credentials issue in one transaction) on Tessera's own embedded
#                      PostgreSQL: the limit of the cache-miss and issue rows
#
# Scenarios (each at BENCH_CONNS connections, wrk -t2):
#   introspect-hit   POST /oauth2/introspect, client_secret_basic, a small set of cached user tokens
#   verify-hit       GET  /auth/verify, Bearer header, the same cached tokens
#   introspect-miss  POST /oauth2/introspect, every token presented once (database read per request)
#   verify-miss      GET  /auth/verify, every token presented once
#   issue-cc         POST /oauth2/token grant_type=client_credentials (a session + token written per request)
#   cold-start       (opt-in) a restarted node takes a warm node's introspection load over the whole fresh pool:
#                    six 5 s slices of its first 30 s, each against the warm node's figure
# Every Tessera run is paired with a run of its limit at the same connection count, back to back (the order
# alternates between rounds), so a noisy neighbour hurts both; ratios are Tessera / limit of the same pair.
#
# All token sets are made through the real API: admin password grant, /admin/api clients + user, password
# grants for the cached set, client_credentials (minted with wrk, bench/wrk/mint.lua) for the fresh set.
# A miss run needs tokens the node has never seen: when the fresh pool is used up the running node mints a
# new one (until round 3b it was restarted with an empty cache and the pool presented again).
#
# Environment:
#   BENCH_DURATION=10s   measured run length per (scenario, connections)
#   BENCH_WARMUP=5s      warm-up per server and scenario before measuring
#   BENCH_WARMUP_SEGMENT=10  the warm-up runs in pieces of at most this many seconds, reconnecting and (Tessera)
#                        scraped between pieces, as the measured runs are (see warm_up)
#   BENCH_CONNS="1 8 32 128"
#   BENCH_SCENARIOS="introspect-hit verify-hit introspect-miss verify-miss issue-cc"
#   BENCH_ROUNDS=1       pairs (limit, Tessera) per scenario and connection count; the report gives medians
#   BENCH_QUICK=1        ~1 minute smoke run (2s runs, 1s warm-up, 8 and 32 connections)
#   BENCH_HIT_TOKENS=16  password-grant tokens in the cache-hit set
#   BENCH_MISS_RATE=9000 assumed peak miss req/s, sizes the fresh pool (tokens per run = rate x duration)
#   BENCH_NO_BASELINE=1  skip the baseline
#   BENCH_JFR=FILE       record JFR (settings=profile) on Tessera during the measured runs (profile.sh uses it)
#   BENCH_KEEP=1         keep the temporary directory (logs, token files)
#   BENCH_HEAP_OPTS      heap flags for Tessera and the baselines alike (default: the Kubernetes pod's heap,
#                        1Gi limit x 70 %, fixed and pre-touched as k8s/configmap.yaml runs it)
#   JAVA_OPTS            extra JVM flags for Tessera
#   BENCH_COLD_WARM_TOKENS  TESSERA_CACHE_WARM_TOKENS of the restarted node in cold-start (default 100000, the
#                        product default; 0 = the cold start without warm-up). Every other restart starts empty.
#   BENCH_BASELINE_JAVA_OPTS  extra JVM flags for the baselines (e.g. a profiler agent)
#   BENCH_JAR, BENCH_CONF  jar and defaults file to run (default target/tessera.jar, conf/tessera.json); they must
#                        match (a conf key the jar does not know stops it), e.g. both from a `git archive` build
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="$BENCH_DIR/results"
mkdir -p "$RESULTS"

DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-5s}"
WARMUP_SEGMENT="${BENCH_WARMUP_SEGMENT:-10}"
CONNS="${BENCH_CONNS:-1 8 32 128}"
SCENARIOS="${BENCH_SCENARIOS:-introspect-hit verify-hit introspect-miss verify-miss issue-cc}"
ROUNDS="${BENCH_ROUNDS:-1}"
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  DURATION="${BENCH_DURATION:-2s}"
  WARMUP="${BENCH_WARMUP:-1s}"
  CONNS="${BENCH_CONNS:-8 32}"
fi
HIT_TOKENS="${BENCH_HIT_TOKENS:-16}"
MISS_RATE="${BENCH_MISS_RATE:-9000}"
[[ "${BENCH_QUICK:-0}" == 1 ]] && MISS_RATE="${BENCH_MISS_RATE:-3000}"
THREADS=2
CORES="$(nproc)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"

secs() { # 10s / 2m / 500ms -> whole seconds (at least 1)
  local d="$1"
  case "$d" in
    *ms) echo 1 ;;
    *m) echo $((${d%m} * 60)) ;;
    *s) echo "${d%s}" ;;
    *) echo "$d" ;;
  esac
}
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# ---- tools
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
command -v python3 >/dev/null || { echo "python3 is required (result tables)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
SRC_JAR="${BENCH_JAR:-$ROOT/target/tessera.jar}"
CONF="${BENCH_CONF:-$ROOT/conf/tessera.json}"
if [[ -z "${BENCH_JAR:-}" && ! -f "$ROOT/target/tessera.jar" ]]; then
  log "building target/tessera.jar"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests)
fi

WORK="$(mktemp -d /tmp/tessera-bench.XXXXXX)"
# Run from a private copy: other people rebuilding target/ must not pull the jar from under the server.
cp "$SRC_JAR" "$WORK/tessera.jar"
cp "$CONF" "$WORK/tessera.json"
JAR="$WORK/tessera.jar"
DATA="$WORK/data"
TESSERA_PID=""
BASELINE_PID=""
# Same heap for every JVM of the run. Unset, a JVM on this 24 GB machine would grow a 6 GB heap under
# load and fault fresh pages in on the hot path (clear_page was 11 % of Tessera's event loop in one run).
HEAP_OPTS="${BENCH_HEAP_OPTS:--Xms700m -Xmx700m -XX:+AlwaysPreTouch}"
DB_BASELINE_PID=""
WRK_PID=""

stop_pid() { # pid, grace seconds
  local pid="$1" grace="${2:-20}"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_tessera() {
  stop_pid "$TESSERA_PID" 25
  TESSERA_PID=""
  # The embedded PostgreSQL is Tessera's child; its shutdown hook stops it. If Tessera had to be killed,
  # stop the postmaster it left behind (only ours: it lives in our data directory).
  local pm="$DATA/postgres/postmaster.pid"
  if [[ -f "$pm" ]]; then
    local pgpid
    pgpid="$(head -1 "$pm" 2>/dev/null || true)"
    if [[ -n "$pgpid" ]] && kill -0 "$pgpid" 2>/dev/null && grep -q "$DATA" "/proc/$pgpid/cmdline" 2>/dev/null; then
      kill -INT "$pgpid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
}
cleanup() {
  local rc=$?
  stop_pid "$WRK_PID" 2
  stop_pid "$BASELINE_PID" 10
  stop_pid "$DB_BASELINE_PID" 10
  stop_tessera
  if [[ "${BENCH_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TPORT="$(free_port)"
BPORT="$(free_port)"
DPORT="$(free_port)"
ADMIN_PASSWORD="bench-admin-$RANDOM$RANDOM"
T="http://127.0.0.1:$TPORT"
BASE="http://127.0.0.1:$BPORT"
DBASE="http://127.0.0.1:$DPORT"

wait_ready() { # url pid log
  local url="$1" pid="$2" logf="$3"
  for _ in $(seq 1 1200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "process exited during start-up; last log lines:" >&2
      tail -20 "$logf" >&2
      return 1
    fi
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" == 200 ]] && return 0
    sleep 0.1
  done
  echo "not ready after 120 s: $url" >&2
  return 1
}

start_tessera() {
  local started
  started="$(date +%s.%N)"
  # shellcheck disable=SC2086
  # Tokens live two hours (a full run outlasts the 15-minute default, and an expired token is never cached);
  # a restart starts with an empty cache (no warm-up from the database) except where cold-start asks for one.
  (cd "$WORK" && exec env TESSERA_HTTP_PORT="$TPORT" TESSERA_HTTP_INSTANCES="$CORES" TESSERA_TOKEN_RATE_PER_CLIENT=1000000 TESSERA_DATA_DIR="$DATA" \
      TESSERA_ADMIN_PASSWORD="$ADMIN_PASSWORD" TESSERA_ISSUER="http://localhost:$TPORT" \
      TESSERA_ACCESS_TTL=PT2H TESSERA_CACHE_WARM_TOKENS="${WARM_TOKENS:-0}" \
      java $HEAP_OPTS ${JAVA_OPTS:-} -Dtessera.config="$WORK/tessera.json" -jar "$JAR" >>"$WORK/tessera.log" 2>&1) &
  TESSERA_PID=$!
  wait_ready "$T/health/ready" "$TESSERA_PID" "$WORK/tessera.log"
  log "Tessera ready on :$TPORT (pid $TESSERA_PID, $CORES verticles) in $(python3 -c "import time;print(round(time.time()-$started,2))") s"
}

json_field() { python3 -c 'import sys,json; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

api() { # method path json -> body; fails on non-2xx
  local out code
  out="$(curl -s -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    --data "$3" "$T$2")"
  code="${out##*$'\n'}"
  if [[ "$code" != 2* ]]; then
    echo "admin API $1 $2 -> $code: ${out%$'\n'*}" >&2
    return 1
  fi
  printf '%s' "${out%$'\n'*}"
}

metric_sum() { # regex on the metric name+labels [scrape file] -> sum of values
  if [[ -n "${2:-}" ]]; then cat "$2"; else curl -s "$T/metrics"; fi \
    | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re { s += $2 } END { printf "%d\n", s }'
}

# ---- start Tessera and build the token sets through the API
log "work directory $WORK; duration $DURATION, warm-up $WARMUP, connections [$CONNS], $CORES cores"
start_tessera
ADMIN_TOKEN="$(curl -s -d grant_type=password -d client_id=tessera-cli -d username=admin \
  --data-urlencode "password=$ADMIN_PASSWORD" "$T/oauth2/token" | json_field access_token)"
RS_ID="bench-rs"
RS_SECRET="bench-rs-secret-$RANDOM$RANDOM$RANDOM"
APP_ID="bench-app"
USER_NAME="alice@example.com"
USER_PASSWORD="alice-password-$RANDOM$RANDOM"
api POST /admin/api/clients "{\"client_id\":\"$RS_ID\",\"name\":\"bench resource server\",\"confidential\":true,\
\"grant_types\":[\"client_credentials\"],\"scopes\":[\"api.read\",\"api.write\"],\"introspect\":true,\
\"client_secret\":\"$RS_SECRET\"}" >/dev/null
api POST /admin/api/clients "{\"client_id\":\"$APP_ID\",\"name\":\"bench app\",\"confidential\":false,\
\"grant_types\":[\"password\",\"refresh_token\"],\"scopes\":[\"api.read\",\"api.write\"]}" >/dev/null
api POST /admin/api/users "{\"username\":\"$USER_NAME\",\"password\":\"$USER_PASSWORD\",\
\"scopes\":[\"api.read\",\"api.write\"]}" >/dev/null
BASIC="$(printf '%s:%s' "$RS_ID" "$RS_SECRET" | base64 -w0)"

log "issuing $HIT_TOKENS password-grant tokens (cache-hit set)"
export T APP_ID USER_NAME USER_PASSWORD
seq 1 "$HIT_TOKENS" | xargs -P "$CORES" -I{} sh -c 'curl -s -d grant_type=password -d client_id="$APP_ID" \
  --data-urlencode "username=$USER_NAME" --data-urlencode "password=$USER_PASSWORD" -d "device_name=bench {}" \
  "$T/oauth2/token"' | grep -o '"access_token":"tsr_[A-Za-z0-9_-]*"' | cut -d'"' -f4 >"$WORK/hit.tokens" || true
[[ "$(wc -l <"$WORK/hit.tokens")" -eq "$HIT_TOKENS" ]] || { echo "could not issue the hit token set" >&2; exit 1; }

# After a mint: vacuum and checkpoint now, so neither server's next run pays for the mint's writes. Minting
# happens just before a Tessera miss run (miss_slice), and autovacuum and the checkpointer then worked through
# that run's cores: every Tessera miss run of round 3b started behind a 300k-row write, no baseline run did.
pg_port() { sed -n 4p "$DATA/postgres/postmaster.pid"; }

settle_db() {
  if ! command -v psql >/dev/null; then
    log "psql not found (Debian: postgresql-client): the database is not settled after minting"
    return 0
  fi
  PGPASSWORD="$(cat "$DATA/postgres-password")" psql -q -h localhost -p "$(pg_port)" \
    -U postgres -d postgres -c "vacuum analyze" -c "checkpoint" >/dev/null
}

mint() { # count file: client_credentials tokens via wrk, stopped once the count is reached
  local count="$1" file="$2" prefix="$WORK/mint.$RANDOM"
  local conc=$((CORES * 8))
  wrk -t"$THREADS" -c"$conc" -d600s -s "$BENCH_DIR/wrk/mint.lua" "$T/oauth2/token" -- "$BASIC" "$prefix" \
    "$count" "$THREADS" >"$WORK/mint.log" 2>&1 &
  WRK_PID=$!
  local have=0
  while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep 0.5
    have="$(cat "$prefix".* 2>/dev/null | wc -l)"
    [[ "$have" -ge $((count / THREADS * THREADS)) ]] && break
  done
  stop_pid "$WRK_PID" 2
  WRK_PID=""
  cat "$prefix".* >"$file"
  rm -f "$prefix".*
  settle_db
}

NEED_MISS=0
for s in $SCENARIOS; do [[ "$s" == *-miss || "$s" == cold-start ]] && NEED_MISS=1; done
DUR_S="$(secs "$DURATION")"
NCONNS="$(wc -w <<<"$CONNS")"
MISS_RUN_TOKENS=$((MISS_RATE * DUR_S))
# Tessera's miss warm-up needs never-seen tokens for the whole warm-up at the assumed peak rate: the database
# baseline warms its miss path on the pool for all of BENCH_WARMUP (it caches nothing), and a smaller set ends
# Tessera's warm-up in under a second, leaving the JIT to compile the miss path during the measured run.
WARM_MISS_TOKENS=$((MISS_RATE * $(secs "$WARMUP") + 1000))
if [[ "$NEED_MISS" == 1 ]]; then
  # Quick runs are short: one pool for every miss run. Full runs: one run's worth; when a run would exhaust
  # what is left, a new pool is minted (miss_slice).
  if [[ "${BENCH_QUICK:-0}" == 1 ]]; then POOL=$((MISS_RUN_TOKENS * NCONNS * 2)); else POOL=$MISS_RUN_TOKENS; fi
  log "minting $POOL + $WARM_MISS_TOKENS client_credentials tokens (cache-miss sets)"
  t0=$(date +%s)
  mint "$POOL" "$WORK/miss.pool"
  mint "$WARM_MISS_TOKENS" "$WORK/miss.warm"
  log "minted $(wc -l <"$WORK/miss.pool") + $(wc -l <"$WORK/miss.warm") tokens in $(($(date +%s) - t0)) s"
  POOL="$(wc -l <"$WORK/miss.pool")"
fi
MISS_OFFSET=0

# Capture Tessera's real answers so the baseline sends exactly as many bytes.
HIT1="$(head -1 "$WORK/hit.tokens")"
# Every header too (less the framing ones Vert.x writes itself): the baseline answers with the same bytes, so
# the load generator, which shares the cores, parses exactly as much from either server.
ANSWER_HEADERS='^(content-length|transfer-encoding|connection|keep-alive|date):'
curl -s -D "$WORK/introspect.raw" -H "Authorization: Basic $BASIC" -d "token=$HIT1" "$T/oauth2/introspect" >"$WORK/introspect.body"
tr -d '\r' <"$WORK/introspect.raw" | grep -E '^[A-Za-z0-9-]+:' | grep -viE "$ANSWER_HEADERS" >"$WORK/introspect.headers"
grep -q '"active":true' "$WORK/introspect.body" || { echo "introspection of a fresh token is not active" >&2; exit 1; }
curl -s -D - -o /dev/null -H "Authorization: Bearer $HIT1" "$T/auth/verify" | tr -d '\r' \
  | grep -E '^[A-Za-z0-9-]+:' | grep -viE "$ANSWER_HEADERS" >"$WORK/verify.headers"
grep -qi '^x-auth-' "$WORK/verify.headers" || { echo "verify of a fresh token gave no X-Auth headers" >&2; exit 1; }

start_baseline() { # port logfile [pg-port] -> pid in $STARTED_PID
  local port="$1" logf="$2" pg="${3:-}"
  (cd "$ROOT" && PG_PASSWORD_FILE="$DATA/postgres-password" INTROSPECT_HEADERS_FILE="$WORK/introspect.headers" exec java $HEAP_OPTS ${BENCH_BASELINE_JAVA_OPTS:-} -cp "$JAR" "$BENCH_DIR/baseline/Baseline.java" "$port" "$CORES" \
      "$WORK/introspect.body" "$WORK/verify.headers" $pg >"$logf" 2>&1) &
  STARTED_PID=$!
  for _ in $(seq 1 300); do
    grep -q listening "$logf" 2>/dev/null && break
    kill -0 "$STARTED_PID" 2>/dev/null || { cat "$logf" >&2; exit 1; }
    sleep 0.1
  done
  log "$(cat "$logf")"
}
# The database baseline talks to Tessera's embedded PostgreSQL, whose port changes when Tessera restarts (only
# cold-start restarts it).
start_db_baseline() {
  [[ "${BENCH_NO_BASELINE:-0}" != 1 ]] || return 0
  stop_pid "$DB_BASELINE_PID" 10
  start_baseline "$DPORT" "$WORK/db-baseline.log" "$(pg_port)"
  DB_BASELINE_PID="$STARTED_PID"
}
if [[ "${BENCH_NO_BASELINE:-0}" != 1 ]]; then
  start_baseline "$BPORT" "$WORK/baseline.log"
  BASELINE_PID="$STARTED_PID"
  start_db_baseline
fi

# ---- load
for f in introspect verify issue; do
  cat "$BENCH_DIR/wrk/$f.lua" "$BENCH_DIR/wrk/report.lua" >"$WORK/$f.lua"
done
for f in introspect_miss verify_miss; do
  cat "$BENCH_DIR/wrk/once.lua" "$BENCH_DIR/wrk/$f.lua" "$BENCH_DIR/wrk/report.lua" >"$WORK/$f.lua"
done
RAW="$WORK/raw.txt"
: >"$RAW"

run_wrk() { # url conns duration script args... -> BENCH line on stdout
  local url="$1" c="$2" d="$3" script="$4"
  shift 4
  wrk -t"$((c < THREADS ? c : THREADS))" -c"$c" -d"$d" --timeout 5s -s "$WORK/$script.lua" "$url" -- "$@" | grep '^BENCH' || echo "BENCH failed"
}

# JIT warm-up in runs of at most BENCH_WARMUP_SEGMENT (10 s), with a /metrics scrape between Tessera's runs:
# every measured run opens its connections afresh, closes them at its end, and has Tessera scraped before and
# after it (its counters). A warm-up that did none of this left those paths out of the JIT's profile: the
# first measured runs then took them, and the compiler threw away (deoptimised) the hot decode, read, write
# and dispatch code and compiled it again inside those runs (-XX:+PrintCompilation: hundreds of compilations;
# jit_ms: 1.4 s of compiler CPU in the first 10 s run after a 60 s warm-up). A production node is scraped and
# probed all along, so its compiled code has seen those requests from the start.
warm_up() { # url duration scenario tokenfile
  local url="$1" scenario="$3" tokens="$4" left segment segments i=0 chunk
  left="$(secs "$2")"
  segments=$(((left + WARMUP_SEGMENT - 1) / WARMUP_SEGMENT))
  rm -f "$WORK"/warm.chunk.*
  if [[ "$scenario" == *-miss && "$url" == "$T" ]]; then
    # Tessera caches what it reads: every run gets its own never-seen share of the warm-up set.
    split -d -a 3 -n "l/$segments" "$tokens" "$WORK/warm.chunk."
  fi
  while ((left > 0)); do
    segment=$((left < WARMUP_SEGMENT ? left : WARMUP_SEGMENT))
    chunk="$WORK/warm.chunk.$(printf %03d "$i")"
    [[ -f "$chunk" ]] || chunk="$tokens"
    # shellcheck disable=SC2046
    run_wrk "$url" 32 "${segment}s" $(load_args "$scenario" "$chunk" 32) >/dev/null
    [[ "$url" != "$T" ]] || counters >/dev/null
    left=$((left - segment))
    i=$((i + 1))
  done
  rm -f "$WORK"/warm.chunk.*
}

load_args() { # scenario tokenfile -> script + args
  case "$1" in
    introspect-hit) echo "introspect $BASIC $2" ;;
    verify-hit) echo "verify $2" ;;
    introspect-miss) echo "introspect_miss $BASIC $2 $((${3:-2} < THREADS ? ${3:-2} : THREADS))" ;;
    verify-miss) echo "verify_miss $2 $((${3:-2} < THREADS ? ${3:-2} : THREADS))" ;;
    issue-cc) echo "issue $BASIC" ;;
  esac
}
# The limit of each scenario: the bare server for cache hits, the database baseline for what reads or writes.
limit_of() { case "$1" in *-hit) echo "baseline $BASE" ;; *) echo "baseline-db $DBASE" ;; esac; }

JFR_ON=0
jfr_start() {
  [[ -n "${BENCH_JFR:-}" && "$JFR_ON" == 0 ]] || return 0
  jcmd "$TESSERA_PID" JFR.start name=bench settings=profile >/dev/null
  JFR_ON=1
}
jfr_stop() {
  [[ "$JFR_ON" == 1 ]] || return 0
  jcmd "$TESSERA_PID" JFR.dump name=bench filename="$BENCH_JFR" >/dev/null
  jcmd "$TESSERA_PID" JFR.stop name=bench >/dev/null
  JFR_ON=0
  log "JFR recording written to $BENCH_JFR"
}

CLK_TCK="$(getconf CLK_TCK)"
# CPU ms a JVM's JIT compiler threads have used so far: recorded per run (jit_ms=), so a run that shared the
# cores with the compiler shows it.
jit_ms() { # pid
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk -v hz="$CLK_TCK" \
    '/\(C[12] CompilerThre/ { sub(/.*\) /, ""); t += $12 + $13 } END { print int(t * 1000 / hz) }'
}

# CPU ms a process has used so far, all its threads (the JVM under load, so the CPU per request reads off a run).
cpu_ms() { # pid
  awk -v hz="$CLK_TCK" '{ sub(/.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' /proc/"$1"/stat 2>/dev/null || echo 0
}

# CPU ms PostgreSQL has used so far: the postmaster, its live backends, and its exited children (autovacuum
# workers come and go). PostgreSQL shares the two cores with the servers, so its share is part of every
# database-bound run's cost, e.g. the last-used writes Tessera makes and the database baseline does not.
db_ms() {
  local pm
  pm="$(sed -n 1p "$DATA/postgres/postmaster.pid" 2>/dev/null)" || { echo 0; return; }
  # A child may exit between pgrep and cat (the settling psql's backend, an autovacuum worker): skip it, or
  # the failed cat would fail the pipeline and, under set -e, the whole bench.
  { cat /proc/"$pm"/stat; for c in $(pgrep -P "$pm" || true); do cat /proc/"$c"/stat || true; done; } 2>/dev/null \
    | awk -v hz="$CLK_TCK" -v pm="$pm" \
      '{ pid = $1; sub(/.*\) /, ""); t += $12 + $13; if (pid == pm) t += $14 + $15 } END { print int(t * 1000 / hz) }'
}

usage_mark() { # pid -> "jit cpu db" ms so far, for usage_since
  echo "$(jit_ms "$1") $(cpu_ms "$1") $(db_ms)"
}
usage_since() { # pid mark -> what the run used since the mark: jit_ms= cpu_ms= db_ms=
  local jit cpu db
  read -r jit cpu db <<<"$2"
  echo "jit_ms=$(($(jit_ms "$1") - jit)) cpu_ms=$(($(cpu_ms "$1") - cpu)) db_ms=$(($(db_ms) - db))"
}

record() { # server scenario conns line extra
  echo "$1 $2 $3 $4 $5 load=$(cut -d' ' -f1 /proc/loadavg)" >>"$RAW"
}

counters() { # one scrape -> hits misses active issued reads
  curl -s "$T/metrics" >"$WORK/scrape.txt"
  echo "$(metric_sum '^tessera_token_cache_hits_total' "$WORK/scrape.txt") \
$(metric_sum '^tessera_token_cache_misses_total' "$WORK/scrape.txt") \
$(metric_sum '^tessera_verification_seconds_count.*result="active"' "$WORK/scrape.txt") \
$(metric_sum '^tessera_tokens_issued_total' "$WORK/scrape.txt") $(metric_sum '^tessera_token_reads_total' "$WORK/scrape.txt")"
}

measure_tessera() { # scenario conns tokenfile [load-shape duration]
  local s="$1" c="$2" tokens="$3" shape="${4:-$1}" d="${5:-$DURATION}" before after line mark usage
  before="$(counters)"
  mark="$(usage_mark "$TESSERA_PID")"
  jfr_start
  # shellcheck disable=SC2046
  line="$(run_wrk "$T" "$c" "$d" $(load_args "$shape" "$tokens" "$c"))"
  usage="$(usage_since "$TESSERA_PID" "$mark")"
  after="$(counters)"
  read -r h0 m0 a0 i0 r0 <<<"$before"
  read -r h1 m1 a1 i1 r1 <<<"$after"
  record tessera "$s" "$c" "$line" "hits=$((h1 - h0)) misses=$((m1 - m0)) active=$((a1 - a0)) issued=$((i1 - i0)) reads=$((r1 - r0)) $usage"
  log "tessera  $s c=$c: $(sed 's/duration_us=[0-9]* //; s/errors_[a-z]*=0 //g' <<<"$line") hits=$((h1 - h0)) misses=$((m1 - m0)) $usage"
}

measure_baseline() { # scenario conns: the scenario's limit, same request shape (misses read existing rows)
  [[ -n "$BASELINE_PID" ]] || return 0
  local s="$1" line server url tokens="$WORK/hit.tokens" pid mark usage
  read -r server url <<<"$(limit_of "$s")"
  [[ "$s" == *-miss ]] && tokens="$WORK/miss.pool"
  pid="$BASELINE_PID"
  [[ "$server" == baseline-db ]] && pid="$DB_BASELINE_PID"
  mark="$(usage_mark "$pid")"
  # shellcheck disable=SC2046
  line="$(run_wrk "$url" "$2" "$DURATION" $(load_args "$s" "$tokens" "$2"))"
  usage="$(usage_since "$pid" "$mark")"
  record "$server" "$s" "$2" "$line" "$usage"
  log "$server $s c=$2: $(sed 's/duration_us=[0-9]* //; s/errors_[a-z]*=0 //g' <<<"$line") $usage"
}

LAST_MISS_REQUESTS=0
miss_slice() { # the unused rest of the fresh pool -> file; mints a new pool when too little is left
  local need=$((LAST_MISS_REQUESTS > 0 ? LAST_MISS_REQUESTS * 3 / 2 : MISS_RUN_TOKENS / 2))
  if ((POOL - MISS_OFFSET < need && MISS_OFFSET > 0)); then
    # Never-seen tokens again, minted by the running node. Until round 3b Tessera was restarted here to empty
    # its cache: its next run then started with a cold JIT (up to 1.5 s of compiler CPU in a 10 s run, and
    # twice the p99), which measured a restart, not the miss path; minting also takes less time than the
    # restart's warm-ups.
    log "fresh pool used up: minting $POOL new tokens"
    mint "$POOL" "$WORK/miss.pool"
    MISS_OFFSET=0
  fi
  tail -n +"$((MISS_OFFSET + 1))" "$WORK/miss.pool" >"$WORK/miss.run"
}
miss_used() { # the last run -> advance the pool offset past the furthest token any thread took (once.lua)
  local used furthest
  used="$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$(tail -1 "$RAW")")"
  furthest="$(sed -n 's/.* reached=\([0-9]*\).*/\1/p' <<<"$(tail -1 "$RAW")")"
  LAST_MISS_REQUESTS="${used:-0}"
  MISS_OFFSET=$((MISS_OFFSET + ${furthest:-$LAST_MISS_REQUESTS} + 2 * 128))
}

measure_pair() { # scenario conns round: limit and Tessera back to back, the order alternating per round
  local s="$1" c="$2" r="$3"
  if ((r % 2 == 0)); then measure_baseline "$s" "$c"; fi
  if [[ "$s" == *-miss ]]; then
    miss_slice
    measure_tessera "$s" "$c" "$WORK/miss.run"
    miss_used
  else
    measure_tessera "$s" "$c" "$WORK/hit.tokens"
  fi
  if ((r % 2 == 1)); then measure_baseline "$s" "$c"; fi
}

# cold-start: a node restarted with an empty cache takes the hit workload of a warm one (the fresh pool, every
# token active and cached on the warm node, introspected in a cycle). The warm node's run is the limit of every
# 5-second slice of the cold node's first 30 s.
cold_start() {
  local warm line i
  log "cold-start: warming the cache with $POOL tokens"
  stop_tessera
  start_tessera
  start_db_baseline
  # One pass over the whole pool (it ends when every token has been answered), then the JIT warm-up.
  # shellcheck disable=SC2046
  run_wrk "$T" 32 120s $(load_args introspect-miss "$WORK/miss.pool" 32) >/dev/null
  # shellcheck disable=SC2046
  run_wrk "$T" 32 "$WARMUP" $(load_args introspect-hit "$WORK/miss.pool") >/dev/null
  # shellcheck disable=SC2046
  warm="$(run_wrk "$T" 32 "$DURATION" $(load_args introspect-hit "$WORK/miss.pool"))"
  log "warm node: $(sed 's/duration_us=[0-9]* //; s/errors_[a-z]*=0 //g' <<<"$warm")"
  stop_tessera
  # As a real restart: the node loads recently used tokens before it is ready (TESSERA_CACHE_WARM_TOKENS).
  WARM_TOKENS="${BENCH_COLD_WARM_TOKENS:-100000}" start_tessera
  for i in 0 5 10 15 20 25; do
    measure_tessera "cold-start-${i}s" 32 "$WORK/miss.pool" introspect-hit 5s
    record warm "cold-start-${i}s" 32 "$warm" ""
  done
  start_db_baseline
  MISS_OFFSET=0
}

for s in $SCENARIOS; do
  if [[ "$s" == cold-start ]]; then
    cold_start
    continue
  fi
  log "warm-up $s"
  if [[ -n "$BASELINE_PID" ]]; then
    read -r _ url <<<"$(limit_of "$s")"
    tokens="$WORK/hit.tokens"
    [[ "$s" == *-miss ]] && tokens="$WORK/miss.pool"
    warm_up "$url" "$WARMUP" "$s" "$tokens"
  fi
  case "$s" in
    *-miss) tokens="$WORK/miss.warm" ;;
    *) tokens="$WORK/hit.tokens" ;;
  esac
  warm_up "$T" "$WARMUP" "$s" "$tokens"
  for r in $(seq 0 $((ROUNDS - 1))); do
    for c in $CONNS; do
      measure_pair "$s" "$c" "$r"
    done
  done
done
jfr_stop

# ---- report
python3 "$BENCH_DIR/report.py" "$RAW" "$RESULTS/$STAMP" "$CORES" "$DURATION" "$WARMUP" \
  "$(wc -c <"$WORK/introspect.body")" "${MISS_RUN_TOKENS}" "$ROUNDS"
log "results: $RESULTS/$STAMP.md, $RESULTS/$STAMP.json"
