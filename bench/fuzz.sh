#!/usr/bin/env bash
# Coverage-guided fuzzing of Tessera's input parsers with Jazzer (issue 6): each @FuzzTest target runs
# for FUZZ_MINUTES with JAZZER_FUZZ=1, one Maven/JVM run per target (Jazzer fuzzes one target per JVM).
# Plain `mvn test` only replays the seed corpus in src/test/resources/**/<Class>Inputs/<method>/.
#
# Findings (crash-* files) are written by Jazzer next to the seed corpus, so the next plain `mvn test`
# replays them as regression tests until fixed. Inputs that reached new coverage are kept in
# .cifuzz-corpus/<class>/<method>/ (not committed) and reused by the next run.
#
# Environment:
#   FUZZ_MINUTES=2     fuzzing time per target
#   FUZZ_TARGETS="…"   space-separated Class#method list (default: every target below)
#   FUZZ_OFFLINE=1     pass -o to Maven
#   JAZZER_INSTRUMENTATION_INCLUDES  classes that give coverage feedback; by default Tessera's own plus the
#                      JSON parser and the JDK-independent decoders the targets call, so the fuzzer learns
#                      JSON structure instead of only AdminJson's branches
#
# Output: one line per target with executions, executions/s, coverage, corpus size and findings, and a
# summary; the full Jazzer log of each target is kept in target/fuzz/<target>.log. Exit status 1 if any
# target produced a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_MINUTES="${FUZZ_MINUTES:-2}"
DEFAULT_TARGETS="
dev.tessera.fuzz.TokenCodecFuzzTest#parseAcceptsOnlyCanonicalTokensItEncoded
dev.tessera.fuzz.TokenCodecFuzzTest#parseRefusesEveryEditOfAValidToken
dev.tessera.http.ClientCredentialsReaderFuzzTest#anyHeaderIsCredentialsOrInvalidClient
dev.tessera.http.ClientCredentialsReaderFuzzTest#formEncodedPairDecodesToItself
dev.tessera.http.ClientCredentialsReaderFuzzTest#rawPairIsOneOfTheReadings
dev.tessera.fuzz.ScopesFuzzTest#parseEitherRefusesOrRoundTrips
dev.tessera.fuzz.ScopesFuzzTest#ofEitherRefusesOrRoundTrips
dev.tessera.http.AdminJsonFuzzTest#anyBodyIsBoundOrRefusedWithA400Problem
"
FUZZ_TARGETS="${FUZZ_TARGETS:-$DEFAULT_TARGETS}"
export JAZZER_INSTRUMENTATION_INCLUDES="${JAZZER_INSTRUMENTATION_INCLUDES:-dev.tessera.**:io.vertx.core.json.**:com.fasterxml.jackson.core.**}"
MVN=(mvn -B)
[[ "${FUZZ_OFFLINE:-}" == 1 ]] && MVN+=(-o)

seconds=$(awk -v m="$FUZZ_MINUTES" 'BEGIN { printf "%d", m * 60 }')
mkdir -p target/fuzz
"${MVN[@]}" -q test-compile

failed=0
printf '%-78s %12s %8s %6s %7s %s\n' target executions exec/s cov corpus findings
for target in $FUZZ_TARGETS; do
  class="${target%%#*}"
  method="${target##*#}"
  inputs="src/test/resources/$(echo "${class%.*}" | tr . /)/${class##*.}Inputs/$method"
  mkdir -p "$inputs"
  before=$(ls "$inputs" | grep -c '^crash-' || true)
  log="target/fuzz/${class##*.}.$method.log"
  # surefire inherits the environment; JAZZER_MAX_DURATION overrides @FuzzTest(maxDuration).
  set +e
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" "${MVN[@]}" surefire:test -Dtest="$target" \
    -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false > "$log" 2>&1
  status=$?
  set -e
  report="target/surefire-reports/$class-output.txt"
  [[ -f "$report" ]] && cat "$report" >> "$log"
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  [[ -z "$done_line" ]] && done_line=$(grep -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE)' "$log" | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<< "$done_line")
  rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<< "$done_line")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<< "$done_line")
  corpus=$(sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<< "$done_line")
  after=$(ls "$inputs" | grep -c '^crash-' || true)
  findings=$((after - before))
  verdict="$findings"
  if (( findings > 0 )) || (( status != 0 )); then
    failed=1
    verdict="$findings (mvn exit $status; see $log and $inputs)"
  fi
  printf '%-78s %12s %8s %6s %7s %s\n' "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corpus:-?}" "$verdict"
done
exit $failed
