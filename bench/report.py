#!/usr/bin/env python3
"""Turns bench/run.sh's raw wrk lines into bench/results/<stamp>.md and .json and prints the table.

Every Tessera run is paired with the run of its limit (same scenario and connection count, back to back):
the bare server ("baseline") for cache hits, the database baseline ("baseline-db") for cache misses and
issuance. With several rounds, the table gives the median of each figure and the median of the per-pair
ratios (a pair shares the machine's state at that moment, so its ratio is the robust figure)."""
import json
import platform
import statistics
import subprocess
import sys

raw, out, cores, duration, warmup, body_bytes, miss_tokens = sys.argv[1:8]
rounds = int(sys.argv[8]) if len(sys.argv) > 8 else 1

def parse(line):
    parts = line.split()
    row = {"server": parts[0], "scenario": parts[1], "connections": int(parts[2])}
    for kv in parts[3:]:
        if "=" in kv:
            k, v = kv.split("=", 1)
            try:
                row[k] = float(v) if "." in v else int(v)
            except ValueError:
                row[k] = v
    if "requests" in row and row.get("duration_us"):
        row["rps"] = row["requests"] / (row["duration_us"] / 1e6)
    return row

# Failed runs (wrk error, or no answer at all within the run) have no numbers.
rows = [r for r in (parse(l) for l in open(raw) if l.strip()) if r.get("rps")]
LIMIT_NAME = {"baseline": "bare Vert.x", "baseline-db": "Vert.x + pg-client", "warm": "warm node"}

# Targets (issue 14), judged at 32 connections.
TARGETS = {"hit": (0.85, 1.5, ">=0.85x, p99 <=1.5x"), "miss": (0.8, 1.5, ">=0.8x, p99 <=1.5x")}

def verdict(scenario, conns, ratio, p99_ratio):
    kind = "hit" if scenario.endswith("-hit") else "miss" if scenario.endswith("-miss") else None
    if conns != 32 or kind is None or ratio is None:
        return ""
    lo, p99max, text = TARGETS[kind]
    return ("MET" if ratio >= lo and p99_ratio <= p99max else "MISSED") + " (" + text + ")"

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

keys = []
for r in rows:
    k = (r["scenario"], r["connections"])
    if r["server"] == "tessera" and k not in keys:
        keys.append(k)

def per_request(runs, key):
    """Median CPU microseconds per answered request (cpu_ms: the server JVM, db_ms: PostgreSQL), None if unrecorded."""
    values = [r[key] * 1000 / r["requests"] for r in runs if key in r and r.get("requests")]
    return round(median(values), 1) if values else None

table = []
for scenario, conns in keys:
    mine = [r for r in rows if r["server"] == "tessera" and (r["scenario"], r["connections"]) == (scenario, conns)]
    limit = [r for r in rows if r["server"] != "tessera" and (r["scenario"], r["connections"]) == (scenario, conns)]
    pairs = list(zip(mine, limit))
    e = {
        "scenario": scenario, "connections": conns, "runs": len(mine),
        "rps": round(median([r["rps"] for r in mine])),
        "rps_runs": [round(r["rps"]) for r in mine],
        "p50_ms": median([r["p50_us"] for r in mine]) / 1000, "p99_ms": median([r["p99_us"] for r in mine]) / 1000,
        "p999_ms": median([r["p999_us"] for r in mine]) / 1000,
        "errors": sum(r.get(k, 0) for r in mine for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")),
        "hits": sum(r.get("hits", 0) for r in mine), "misses": sum(r.get("misses", 0) for r in mine),
        "issued": sum(r.get("issued", 0) for r in mine), "reads": sum(r.get("reads", 0) for r in mine),
        "load_avg_after": [r.get("load") for r in mine],
        "jit_ms_runs": [r.get("jit_ms") for r in mine],
        "cpu_us_per_request": per_request(mine, "cpu_ms"), "db_us_per_request": per_request(mine, "db_ms"),
    }
    e["miss_ratio"] = round(e["misses"] / max(1, e["hits"] + e["misses"]), 3)
    if limit:
        e.update({"limit": limit[0]["server"], "limit_rps": round(median([b["rps"] for b in limit])),
                  "limit_rps_runs": [round(b["rps"]) for b in limit],
                  "limit_p99_ms": median([b["p99_us"] for b in limit]) / 1000,
                  "limit_jit_ms_runs": [b.get("jit_ms") for b in limit],
                  "limit_cpu_us_per_request": per_request(limit, "cpu_ms"),
                  "limit_db_us_per_request": per_request(limit, "db_ms"),
                  "limit_errors": sum(b.get(k, 0) for b in limit for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")),
                  "rps_ratio": round(median([r["rps"] / b["rps"] for r, b in pairs]), 3),
                  "rps_ratio_runs": [round(r["rps"] / b["rps"], 3) for r, b in pairs],
                  "p99_ratio": round(median([r["p99_us"] / max(1, b["p99_us"]) for r, b in pairs]), 2)})
    e["target_at_32"] = verdict(scenario, conns, e.get("rps_ratio"), e.get("p99_ratio"))
    table.append(e)

def f(v, fmt):
    return "" if v is None else format(v, fmt)

def jit(e):
    """Median JIT compiler CPU per run, Tessera / its limit (runs recorded before round 3 have none)."""
    mine, theirs = median(e["jit_ms_runs"]), median(e.get("limit_jit_ms_runs", []))
    return "" if mine is None else f"{mine:.0f}" + ("" if theirs is None else f" / {theirs:.0f}")

def cpu(e):
    """CPU µs per request, server JVM + PostgreSQL, Tessera / its limit (runs recorded before issue 14's fourth pass have none)."""
    def one(jvm, db):
        return "" if jvm is None else f"{jvm:.0f}" + ("" if db is None else f" + {db:.0f}")
    mine, theirs = one(e["cpu_us_per_request"], e["db_us_per_request"]), one(e.get("limit_cpu_us_per_request"), e.get("limit_db_us_per_request"))
    return mine + (" / " + theirs if mine and theirs else "")

header = ("| scenario | conns | Tessera req/s | p50 ms | p99 ms | limit | limit req/s | limit p99 ms | req/s ratio "
          "| p99 ratio | ratio per round | miss ratio | JIT CPU ms per run | CPU µs per request | errors | target @32 |")
lines = [header, "|" + "---|" * 16]
for e in table:
    lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
        e["scenario"], e["connections"], e["rps"], f(e["p50_ms"], ".2f"), f(e["p99_ms"], ".2f"),
        LIMIT_NAME.get(e.get("limit"), ""), e.get("limit_rps", ""), f(e.get("limit_p99_ms"), ".2f"),
        f(e.get("rps_ratio"), ".2f"), f(e.get("p99_ratio"), ".2f"),
        " ".join(format(x, ".2f") for x in e.get("rps_ratio_runs", [])),
        f(e["miss_ratio"], ".2f") if e["scenario"].endswith("-miss") or e["scenario"].startswith("cold-start") else "",
        jit(e), "" if e["scenario"].startswith("cold-start") else cpu(e),
        e["errors"] + e.get("limit_errors", 0), e["target_at_32"]))

try:
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                         text=True).stdout.strip()
except Exception:
    cpu = ""
meta = {"cores": int(cores), "cpu": cpu, "kernel": platform.release(), "duration": duration, "warmup": warmup,
        "rounds": rounds, "wrk_threads": 2, "introspection_body_bytes": int(body_bytes),
        "miss_tokens_per_run": int(miss_tokens)}
md = ["# Tessera benchmark " + out.rsplit("/", 1)[-1], "",
      "Command: `bench/run.sh` — {cores} cores ({cpu}), wrk -t2, {duration} per run after {warmup} warm-up, {rounds} "
      "round(s). Limits (bench/baseline/Baseline.java): bare Vert.x (same request shape, same "
      "{introspection_body_bytes}-byte answer) for cache hits; Vert.x + pg-client running Tessera's own SQL on "
      "Tessera's own embedded PostgreSQL for cache misses and issuance. Each Tessera run is paired with its limit's "
      "run, back to back; figures are medians over rounds, the ratio is the median of the per-pair ratios."
      .format(**meta), "",
      *lines, "", "miss ratio = Tessera cache misses / lookups during the runs (1.00 = every request read the database).",
      "load = 1-minute load average after each run is in the JSON (other work on the machine skews results).",
      "JIT CPU ms per run = CPU time the JVM's JIT compiler threads used during the measured run (median, "
      "Tessera / limit): compilation shares the two cores with the load, so a large figure means a run that was "
      "not yet at steady state.",
      "CPU µs per request is left out of the cold-start rows: their runs include the restarted JVM's start-up and "
      "cache warming, so per-request CPU there says nothing about serving.",
      "CPU µs per request = CPU the server's JVM + PostgreSQL used during the run, per answered request (median, "
      "Tessera / limit). Both share the two cores with wrk, so where throughput parts, this says who spent it.", ""]
open(out + ".md", "w").write("\n".join(md))
json.dump({"meta": meta, "results": table, "raw": rows}, open(out + ".json", "w"), indent=2)
print("\n".join(lines))
