#!/usr/bin/env python3
"""Turns bench/run.sh's raw wrk lines into bench/results/<stamp>.md and .json and prints the table."""
import json
import platform
import subprocess
import sys

raw, out, cores, duration, warmup, body_bytes, miss_tokens = sys.argv[1:8]

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

rows = [r for r in (parse(l) for l in open(raw) if l.strip()) if "rps" in r]  # failed runs have no numbers
base = {(r["scenario"], r["connections"]): r for r in rows if r["server"] == "baseline"}

def base_for(r):
    kind = "introspect-hit" if r["scenario"].startswith("introspect") else "verify-hit"
    return base.get((kind, r["connections"]))

# Targets from issue 8, judged at 32 connections.
def verdict(r, b):
    if r["connections"] != 32 or b is None or "rps" not in r:
        return ""
    ratio = r["rps"] / b["rps"]
    p99 = r["p99_us"] / 1000
    if r["scenario"].endswith("-hit"):
        ok = ratio >= 0.85 and r["p99_us"] <= 1.5 * b["p99_us"]
        return ("MET" if ok else "MISSED") + " (>=0.85x, p99 <=1.5x)"
    ok = ratio >= 0.35 and p99 < 10
    return ("MET" if ok else "MISSED") + " (>=0.35x, p99 <10 ms)"

table = []
for r in rows:
    if r["server"] != "tessera":
        continue
    b = base_for(r)
    e = {
        "scenario": r["scenario"], "connections": r["connections"],
        "rps": round(r.get("rps", 0)), "p50_ms": r.get("p50_us", 0) / 1000, "p99_ms": r.get("p99_us", 0) / 1000,
        "p999_ms": r.get("p999_us", 0) / 1000,
        "errors": sum(r.get(k, 0) for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")),
        "hits": r.get("hits"), "misses": r.get("misses"), "active": r.get("active"),
        "miss_ratio": round(r["misses"] / max(1, r["hits"] + r["misses"]), 3) if "misses" in r else None,
        "active_ratio": round(r["active"] / max(1, r["requests"]), 3) if "active" in r and r.get("requests") else None,
        "load_avg_after": r.get("load"),
    }
    if b:
        e.update({"baseline_rps": round(b["rps"]), "baseline_p50_ms": b["p50_us"] / 1000,
                  "baseline_p99_ms": b["p99_us"] / 1000, "baseline_p999_ms": b["p999_us"] / 1000,
                  "rps_ratio": round(r["rps"] / b["rps"], 3), "p99_ratio": round(r["p99_us"] / max(1, b["p99_us"]), 2)})
    e["target_at_32"] = verdict(r, b)
    table.append(e)

def f(v, fmt):
    return "" if v is None else format(v, fmt)

header = "| scenario | conns | req/s | p50 ms | p99 ms | p99.9 ms | baseline req/s | baseline p99 ms | req/s ratio | p99 ratio | miss ratio | errors | target @32 |"
lines = [header, "|" + "---|" * 13]
for e in table:
    lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
        e["scenario"], e["connections"], e["rps"], f(e["p50_ms"], ".2f"), f(e["p99_ms"], ".2f"), f(e["p999_ms"], ".2f"),
        e.get("baseline_rps", ""), f(e.get("baseline_p99_ms"), ".2f"), f(e.get("rps_ratio"), ".2f"),
        f(e.get("p99_ratio"), ".2f"), f(e["miss_ratio"], ".2f") if e["scenario"].endswith("-miss") else "",
        e["errors"], e["target_at_32"]))
base_lines = ["| baseline shape | conns | req/s | p50 ms | p99 ms | p99.9 ms |", "|---|---|---|---|---|---|"]
for r in rows:
    if r["server"] == "baseline" and "rps" in r:
        base_lines.append("| {} | {} | {} | {:.2f} | {:.2f} | {:.2f} |".format(
            r["scenario"].replace("-hit", ""), r["connections"], round(r["rps"]), r["p50_us"] / 1000, r["p99_us"] / 1000,
            r["p999_us"] / 1000))

try:
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                         text=True).stdout.strip()
except Exception:
    cpu = ""
meta = {"cores": int(cores), "cpu": cpu, "kernel": platform.release(), "duration": duration, "warmup": warmup,
        "wrk_threads": 2, "introspection_body_bytes": int(body_bytes), "miss_tokens_per_run": int(miss_tokens)}
md = ["# Tessera benchmark " + out.rsplit("/", 1)[-1], "",
      "Command: `bench/run.sh` — {cores} cores ({cpu}), wrk -t2, {duration} per run after {warmup} warm-up; "
      "baseline = bench/baseline/Baseline.java (bare Vert.x, same request shape, same {introspection_body_bytes}-byte "
      "answer). Ratios are Tessera / baseline at the same connection count, measured interleaved.".format(**meta), "",
      *lines, "", "miss ratio = Tessera cache misses / lookups during the run (1.00 = every request read the database).",
      "load = 1-minute load average after each run is in the JSON (other work on the machine skews results).", "",
      *base_lines, ""]
open(out + ".md", "w").write("\n".join(md))
json.dump({"meta": meta, "results": table, "raw": rows}, open(out + ".json", "w"), indent=2)
print("\n".join(lines))
print()
print("\n".join(base_lines))
