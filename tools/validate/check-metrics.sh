#!/usr/bin/env bash
# Checks a Prometheus text-format scrape with promtool (Debian package "prometheus").
#   tools/validate/check-metrics.sh <scrape-file>      exit 0 = ok
# promtool exits 1 on a parse error (always fatal here) and 3 on lint findings; a lint
# finding fails too unless its exact line is in promtool-lint-allow.txt (findings about
# meters that Micrometer itself defines, which Tessera cannot rename).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
file="${1:-}"
if [ -z "$file" ] || [ ! -r "$file" ]; then
  echo "usage: check-metrics.sh <scrape-file>" >&2
  exit 2
fi
if ! command -v promtool >/dev/null 2>&1; then
  echo "check-metrics: FAILED — promtool not found (run tools/validate/install.sh)" >&2
  exit 2
fi
if [ ! -s "$file" ]; then
  echo "check-metrics: FAILED — $file is empty" >&2
  exit 1
fi
out="$(promtool check metrics < "$file" 2>&1)"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
  echo "check-metrics: FAILED — promtool could not parse $file (exit $rc)" >&2
  printf '%s\n' "$out" | sed 's/^/  /' >&2
  exit 1
fi
allow="$here/promtool-lint-allow.txt"
findings="$(printf '%s\n' "$out" | sed '/^[[:space:]]*$/d')"
if [ -f "$allow" ] && [ -n "$findings" ]; then
  findings="$(printf '%s\n' "$findings" | grep -vxF -f <(grep -v '^#' "$allow" | sed '/^[[:space:]]*$/d') || true)"
fi
samples="$(grep -cv '^#' "$file" || true)"
if [ -n "$findings" ]; then
  echo "check-metrics: FAILED — promtool lint findings in $file:" >&2
  printf '%s\n' "$findings" | sed 's/^/  /' >&2
  exit 1
fi
echo "check-metrics: OK — $samples samples parsed, no lint findings beyond promtool-lint-allow.txt"
