#!/usr/bin/env bash
# Profiles the cache-hit introspection path under load with JFR (settings=profile): runs bench/run.sh for
# introspect-hit at 32 connections (BENCH_DURATION, default 20s) with a recording around the measured run,
# then aggregates jdk.ExecutionSample into bench/results/profile-<timestamp>.md (top frames by self time,
# top frames by total time, top allocation sites).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JFR="$BENCH_DIR/results/profile-$STAMP.jfr"
BENCH_SCENARIOS="${BENCH_SCENARIOS:-introspect-hit}" BENCH_CONNS="${BENCH_CONNS:-32}" \
  BENCH_DURATION="${BENCH_DURATION:-20s}" BENCH_NO_BASELINE=1 BENCH_JFR="$JFR" "$BENCH_DIR/run.sh"
jfr print --json --events jdk.ExecutionSample "$JFR" >"${JFR%.jfr}.samples.json"
jfr print --json --events jdk.ObjectAllocationSample "$JFR" >"${JFR%.jfr}.alloc.json" || true
python3 "$BENCH_DIR/profile_report.py" "${JFR%.jfr}.samples.json" "${JFR%.jfr}.alloc.json" >"$BENCH_DIR/results/profile-$STAMP.md"
rm -f "${JFR%.jfr}.samples.json" "${JFR%.jfr}.alloc.json"
echo "profile: $BENCH_DIR/results/profile-$STAMP.md (recording $JFR)"
