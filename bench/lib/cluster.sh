# shellcheck shell=bash
# Shared by bench/propagation.sh and bench/soak.sh: logging, free ports, a private work directory with a copy of
# the jar and the defaults file, stopping everything on exit, an embedded PostgreSQL and N clustered Tessera
# nodes on loopback. Source it after setting BENCH_DIR and ROOT; the scripts keep their own settings and driver.
#
# What a script sets before calling the functions below:
#   CLUSTER_KEEP_VAR   name of the variable that keeps the work directory when 1 (PROP_KEEP, SOAK_KEEP)
#   CLUSTER_PORTS_FROM "ephemeral": free_port binds port 0 (a port from the kernel's ephemeral range);
#                      anything else (the default): a random free port below that range (see free_port)
#   NODES              how many nodes
#   NODE_JAVA_OPTS     JVM flags for each node (split on white space)
#   NODE_GC_LOG        1: each node also writes a GC log to $WORK/node<i>-gc.log
#   ARGON2_KIB         TESSERA_ARGON2_MEMORY_KIB for the nodes
#   EXTRA_ENV          array of further NAME=value settings for the nodes (last, so they win)
# What the functions set: WORK, JAR (work_dir_init), PG_PORT, PG_PID (start_postgres), ADMIN_PASSWORD,
# HTTP_PORTS, CLUSTER_PORTS, MEMBERS (allocate_node_ports), NODE_PIDS (start_node), BENCH_CLASSES
# (compile_bench_helpers), FREE_PORT (free_port).

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Sets FREE_PORT (no subshell, so ports handed out once are remembered and not handed out again).
# By default a free port BELOW the kernel's ephemeral range: a port from bind(0) is ephemeral, and between closing
# it here and the node binding it, any outgoing connection (a node's pool to PostgreSQL, Hazelcast, the driver) may
# take it (seen: a node failing with "BindException: Address already in use"). CLUSTER_PORTS_FROM=ephemeral keeps
# the plain bind(0) port instead.
USED_PORTS=" "
FREE_PORT=""
free_port() {
  local p
  if [[ "${CLUSTER_PORTS_FROM:-}" == ephemeral ]]; then
    p="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  else
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
  fi
  USED_PORTS+="$p "
  FREE_PORT="$p"
}

build_jar_if_missing() { # jar
  if [[ ! -f "$1" ]]; then
    log "building target/tessera.jar"
    (cd "$ROOT" && mvn -B -o -q package -DskipTests)
  fi
}

# Creates the work directory (mktemp -d /tmp/<prefix>.XXXXXX), copies the jar and the defaults file into it and
# installs the exit trap (cleanup). Inherited TESSERA_* settings would silently change the nodes; the scripts set
# what they need explicitly, so they are unset here.
work_dir_init() { # prefix jar conf
  for v in $(compgen -e | grep '^TESSERA_' || true); do unset "$v"; done
  WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  # Private copies: other people rebuilding target/ or editing conf/ must not change a running benchmark.
  cp "$2" "$WORK/tessera.jar"
  cp "$3" "$WORK/tessera.json"
  JAR="$WORK/tessera.jar"
  PG_PID=""
  NODE_PIDS=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

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
  if [[ "${!CLUSTER_KEEP_VAR:-0}" == 1 || $rc -ne 0 ]]; then
    log "logs kept in $WORK"
    rm -f "$WORK/tessera.jar"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}

wait_for() { # description deadline_s pid log command...
  local what="$1" limit="$2" deadline=$((SECONDS + $2)) pid="$3" logf="$4"
  shift 4
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$what: process $pid exited (see $logf)"
    ((SECONDS < deadline)) || die "$what: not within ${limit}s (see $logf)"
    sleep 0.25
  done
}

# The drivers' shared HTTP helpers (bench/lib/BenchHttp.java), compiled into $WORK/classes: a single-file source
# program cannot compile a second source file, so the drivers run with -cp "$JAR:$BENCH_CLASSES".
compile_bench_helpers() {
  BENCH_CLASSES="$WORK/classes"
  javac -nowarn -cp "$JAR" -d "$BENCH_CLASSES" "$BENCH_DIR/lib/BenchHttp.java" >"$WORK/javac.log" 2>&1 \
    || die "javac bench/lib/BenchHttp.java failed (see $WORK/javac.log)"
}

# ---- PostgreSQL
start_postgres() {
  free_port
  PG_PORT="$FREE_PORT"
  log "starting embedded PostgreSQL on 127.0.0.1:$PG_PORT"
  java -Xmx128m -cp "$JAR" "$BENCH_DIR/propagation/Pg.java" "$PG_PORT" "$WORK/pgdata" >"$WORK/pg.log" 2>&1 &
  PG_PID=$!
  wait_for "PostgreSQL" 120 "$PG_PID" "$WORK/pg.log" grep -q '^PG READY' "$WORK/pg.log"
}

# ---- nodes
allocate_node_ports() { # admin-password prefix
  ADMIN_PASSWORD="$1-$RANDOM-$RANDOM-$RANDOM"
  HTTP_PORTS=()
  CLUSTER_PORTS=()
  for _ in $(seq 1 "$NODES"); do
    free_port
    HTTP_PORTS+=("$FREE_PORT")
    free_port
    CLUSTER_PORTS+=("$FREE_PORT")
  done
  MEMBERS="$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")"
  MEMBERS="${MEMBERS%,}"
  cluster_keys
}

# The keys a Kubernetes Secret would hold: one cluster secret and one event-bus key pair whose self-signed
# certificate is also the CA every node trusts (TESSERA_CLUSTER_TLS_*; a clustered node refuses to start
# without them).
cluster_keys() {
  CLUSTER_SECRET="$(openssl rand -hex 32)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=tessera-bench-cluster" \
    -keyout "$WORK/cluster-key.pem" -out "$WORK/cluster-cert.pem" >"$WORK/openssl.log" 2>&1 \
    || die "openssl could not make the cluster certificate (see $WORK/openssl.log)"
}

start_node() { # index (1-based)
  local i="$1" dir="$WORK/node$1" gc=()
  mkdir -p "$dir"
  [[ "${NODE_GC_LOG:-0}" == 1 ]] && gc=("-Xlog:gc:file=$WORK/node$i-gc.log:uptime,level,tags")
  # shellcheck disable=SC2086
  (cd "$dir" && exec env \
    TESSERA_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
    TESSERA_HTTP_PORT="${HTTP_PORTS[$((i - 1))]}" \
    TESSERA_HTTP_INSTANCES=1 \
    TESSERA_DATA_DIR="$dir/data" \
    TESSERA_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    TESSERA_ARGON2_MEMORY_KIB="$ARGON2_KIB" \
    TESSERA_ARGON2_ITERATIONS=1 \
    TESSERA_CLUSTER=true \
    TESSERA_CLUSTER_HOST=127.0.0.1 \
    TESSERA_CLUSTER_PORT="${CLUSTER_PORTS[$((i - 1))]}" \
    TESSERA_CLUSTER_MEMBERS="$MEMBERS" \
    TESSERA_CLUSTER_SECRET="$CLUSTER_SECRET" \
    TESSERA_CLUSTER_TLS_CERT="$WORK/cluster-cert.pem" \
    TESSERA_CLUSTER_TLS_KEY="$WORK/cluster-key.pem" \
    TESSERA_CLUSTER_TLS_CA="$WORK/cluster-cert.pem" \
    "${EXTRA_ENV[@]}" \
    java $NODE_JAVA_OPTS "${gc[@]}" -Dtessera.config="$WORK/tessera.json" -jar "$JAR") >"$WORK/node$i.log" 2>&1 &
  NODE_PIDS+=($!)
}
ready() { curl -fsS -m 2 "http://127.0.0.1:$1/health/ready"; }
members_all() { curl -fsS -m 2 "http://127.0.0.1:$1/metrics" | grep -Eq "^tessera_cluster_members(\{[^}]*\})? $NODES(\.0)?\$"; }

# Node 1 first (schema migration, admin bootstrap), then the others; returns when every node is ready and sees
# all $NODES members.
start_cluster() {
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
}
