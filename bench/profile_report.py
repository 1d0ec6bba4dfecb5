#!/usr/bin/env python3
"""Aggregates `jfr print --json` ExecutionSample / ObjectAllocationSample output into a Markdown summary."""
import collections
import json
import sys

samples_file, alloc_file = sys.argv[1], sys.argv[2]

def frames(ev):
    st = ev["values"].get("stackTrace") or {}
    out = []
    for fr in st.get("frames", []):
        m = fr["method"]
        cls = m["type"]["name"]
        out.append(f"{cls}.{m['name']}".replace("/", "."))
    return out

data = json.load(open(samples_file))["recording"]["events"]
self_c, total_c, pkg_c, thread_c = collections.Counter(), collections.Counter(), collections.Counter(), collections.Counter()
for ev in data:
    fs = frames(ev)
    if not fs:
        continue
    self_c[fs[0]] += 1
    for f in set(fs):
        total_c[f] += 1
    # Attribute each sample to the first Tessera frame on the stack, else the top frame's package.
    owner = next((f for f in fs if f.startswith("dev.tessera")), None)
    pkg_c[owner or ".".join(fs[0].split(".")[:3])] += 1
    t = ev["values"].get("sampledThread") or {}
    thread_c[(t.get("javaName") or t.get("osName") or "?").rstrip("0123456789-")] += 1
n = sum(self_c.values())
print("# JFR profile: cache-hit introspection under load\n")
print(f"{n} execution samples (jdk.ExecutionSample, settings=profile, 10-20 ms interval per thread).\n")
print("## Top 20 frames by self time\n\n| # | frame | self samples | % |\n|---|---|---|---|")
for i, (f, c) in enumerate(self_c.most_common(20), 1):
    print(f"| {i} | `{f}` | {c} | {100 * c / n:.1f} |")
print("\n## Top 25 frames by total (inclusive) time\n\n| frame | samples | % |\n|---|---|---|")
for f, c in total_c.most_common(25):
    print(f"| `{f}` | {c} | {100 * c / n:.1f} |")
print("\n## Samples by first Tessera frame on the stack (else top-frame package)\n\n| owner | samples | % |\n|---|---|---|")
for f, c in pkg_c.most_common(20):
    print(f"| `{f}` | {c} | {100 * c / n:.1f} |")
print("\n## Samples by thread pool\n\n| thread | samples |\n|---|---|")
for f, c in thread_c.most_common(8):
    print(f"| {f} | {c} |")
try:
    allocs = json.load(open(alloc_file))["recording"]["events"]
except Exception:
    allocs = []
if allocs:
    by_site, by_type = collections.Counter(), collections.Counter()
    for ev in allocs:
        w = ev["values"].get("weight", 0)
        fs = frames(ev)
        site = next((f for f in fs if f.startswith("dev.tessera")), fs[0] if fs else "?")
        by_site[site] += w
        by_type[(ev["values"].get("objectClass") or {}).get("name", "?")] += w
    tot = sum(by_site.values()) or 1
    print("\n## Allocation (jdk.ObjectAllocationSample weight) by first Tessera frame\n\n| site | MB | % |\n|---|---|---|")
    for f, w in by_site.most_common(15):
        print(f"| `{f}` | {w / 1e6:.0f} | {100 * w / tot:.1f} |")
    print("\n| type | MB | % |\n|---|---|---|")
    for f, w in by_type.most_common(12):
        print(f"| `{f}` | {w / 1e6:.0f} | {100 * w / tot:.1f} |")
