#!/usr/bin/env bash
# Builds and runs the JMH hot-path benchmarks (1 fork, 3x1 s warm-up, 5x1 s measurement each), writes
# bench/results/jmh-<timestamp>.json and .txt. Extra JMH arguments pass through, e.g. `bench/jmh/run.sh cacheHit -f 2`.
set -euo pipefail
JMH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$JMH_DIR/../.." && pwd)"
RESULTS="$ROOT/bench/results"
mkdir -p "$RESULTS"
[[ -f "$ROOT/target/tessera.jar" ]] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)
WORK="$(mktemp -d /tmp/tessera-jmh.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# A private copy of the jar (others may rebuild target/ meanwhile).
cp "$ROOT/target/tessera.jar" "$WORK/tessera.jar"
OFFLINE="-o"
[[ -d "$HOME/.m2/repository/org/openjdk/jmh/jmh-core/1.37" ]] || OFFLINE=""
(cd "$JMH_DIR" && mvn -B $OFFLINE -q -Dtessera.jar="$WORK/tessera.jar" \
  compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=compile)
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
java -cp "$JMH_DIR/target/classes:$(cat "$WORK/cp.txt"):$WORK/tessera.jar" org.openjdk.jmh.Main \
  -rf json -rff "$RESULTS/jmh-$STAMP.json" "$@" | tee "$RESULTS/jmh-$STAMP.txt"
echo "results: $RESULTS/jmh-$STAMP.json"
