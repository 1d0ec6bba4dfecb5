#!/usr/bin/env bash
# Heap bytes per cached token (VerificationCache with 1,000,000 realistic entries, heap after GC minus empty).
# usage: bench/memory.sh [ENTRIES=1000000]     env: MEMORY_JAVA_OPTS (default -Xmx2g -XX:+UseG1GC)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
[[ -f "$ROOT/target/tessera.jar" ]] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)
WORK="$(mktemp -d /tmp/tessera-memory.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT/target/tessera.jar" "$WORK/tessera.jar"
javac -nowarn -cp "$WORK/tessera.jar" -d "$WORK/classes" "$BENCH_DIR/memory/CacheMemory.java"
# shellcheck disable=SC2086
java ${MEMORY_JAVA_OPTS:--Xmx2g -XX:+UseG1GC} -cp "$WORK/classes:$WORK/tessera.jar" dev.tessera.token.CacheMemory "${1:-1000000}"
