#!/usr/bin/env bash
# Profiles a cache-hit path under load (default introspect-hit at 32 connections, BENCH_DURATION 20s after a
# 20s warm-up) and writes bench/results/profile-<timestamp>.md.
#
#   BENCH_PROFILER=async (default)  async-profiler 4.2 (from Maven Central) on Tessera and on the bare baseline
#                                   of the same run, event=cpu: event-loop CPU by where it goes, side by side
#                                   (bench/profile_async.py), plus both JVMs' collapsed stacks next to the report
#                                   (.gz, not committed: .gitignore)
#   BENCH_PROFILER=jfr              JFR (settings=profile) on Tessera only, around the measured run
#                                   (bench/profile_report.py: top frames, allocation sites)
#
# The async profile covers each JVM from its start, warm-up included: keep BENCH_WARMUP short next to
# BENCH_DURATION, or read the shares as "mostly steady state".
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$BENCH_DIR/results/profile-$STAMP"
export BENCH_SCENARIOS="${BENCH_SCENARIOS:-introspect-hit}" BENCH_CONNS="${BENCH_CONNS:-32}" \
  BENCH_DURATION="${BENCH_DURATION:-20s}" BENCH_WARMUP="${BENCH_WARMUP:-20s}" BENCH_ROUNDS=1

if [[ "${BENCH_PROFILER:-async}" == jfr ]]; then
  BENCH_NO_BASELINE=1 BENCH_JFR="$OUT.jfr" "$BENCH_DIR/run.sh"
  jfr print --json --events jdk.ExecutionSample "$OUT.jfr" >"$OUT.samples.json"
  jfr print --json --events jdk.ObjectAllocationSample "$OUT.jfr" >"$OUT.alloc.json" || true
  python3 "$BENCH_DIR/profile_report.py" "$OUT.samples.json" "$OUT.alloc.json" >"$OUT.md"
  rm -f "$OUT.samples.json" "$OUT.alloc.json"
  echo "profile: $OUT.md (recording $OUT.jfr)"
  exit 0
fi

AP_VERSION=4.2
AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
[[ -f "$AP_JAR" ]] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION" >&2
AP_DIR="$(mktemp -d)"
trap 'rm -rf "$AP_DIR"' EXIT
(cd "$AP_DIR" && unzip -q -o "$AP_JAR" "linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/libasyncProfiler.so")
LIB="$(ls "$AP_DIR"/linux-*/libasyncProfiler.so)"
AGENT="-agentpath:$LIB=start,event=cpu,interval=500us,collapsed"
# One file per JVM (%p): Tessera's, and the baselines' (only the bare one serves a hit scenario).
JAVA_OPTS="${JAVA_OPTS:-} $AGENT,file=$AP_DIR/tessera-%p.collapsed" \
  BENCH_BASELINE_JAVA_OPTS="${BENCH_BASELINE_JAVA_OPTS:-} $AGENT,file=$AP_DIR/baseline-%p.collapsed" \
  "$BENCH_DIR/run.sh" 2>&1 | tee "$OUT.run.txt"
TESSERA="$(ls -S "$AP_DIR"/tessera-*.collapsed | head -1)"
BASELINE="$(ls -S "$AP_DIR"/baseline-*.collapsed | head -1)"  # the bare one: it served the load
{
  echo "# async-profiler: $BENCH_SCENARIOS at $BENCH_CONNS connections ($(date -u +%FT%TZ), $(git -C "$BENCH_DIR" rev-parse --short HEAD))"
  echo
  echo "Command: \`bench/profile.sh\` (BENCH_SCENARIOS=$BENCH_SCENARIOS BENCH_DURATION=$BENCH_DURATION BENCH_WARMUP=$BENCH_WARMUP)."
  echo "Shares of event-loop CPU samples (cpu event, 0.5 ms), each JVM from its start. Load lines:"
  echo
  { grep -E "c=[0-9]+: BENCH" "$OUT.run.txt" || true; } | sed "s/^/    /"
  echo
  python3 "$BENCH_DIR/profile_async.py" "$TESSERA" "$BASELINE"
} >"$OUT.md"
gzip -c "$TESSERA" >"$OUT.tessera.collapsed.gz"
gzip -c "$BASELINE" >"$OUT.baseline.collapsed.gz"
rm -f "$OUT.run.txt"
echo "profile: $OUT.md (stacks $OUT.{tessera,baseline}.collapsed.gz, kept out of git by .gitignore)"
