#!/usr/bin/env python3
"""Aggregates a JFR recording's samples: `jfr print --json --events <event> FILE | jfr-top.py [FILTER_THREAD]`.
Prints the hottest top frames, the hottest io.certhub frames (first hub frame in each stack) and,
for jdk.ThreadPark / JavaMonitorEnter / SocketRead, where threads waited (summed duration)."""
import json, sys, collections, re
data = json.load(sys.stdin)
events = data["recording"]["events"]
thread_filter = sys.argv[1] if len(sys.argv) > 1 else None
top = collections.Counter(); hub = collections.Counter(); incl = collections.Counter(); threads = collections.Counter()
def dur(e):
    d = e["values"].get("duration")
    if not d: return 1.0
    m = re.match(r"PT([\d.]+)S", d)
    return float(m.group(1)) if m else 1.0
for e in events:
    v = e["values"]
    t = (v.get("sampledThread") or v.get("eventThread") or {}).get("javaName", "?")
    if thread_filter and not re.search(thread_filter, t or ""): continue
    st = v.get("stackTrace") or {}
    frames = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in st.get("frames", [])]
    w = dur(e)
    threads[re.sub(r"#\d+", "#", t or "?")] += w
    if frames: top[frames[0]] += w
    for f in frames:
        if f.startswith("io.certhub") or f.startswith("io/certhub"):
            hub[f] += w; break
    for f in set(frames): incl[f] += w
total = sum(threads.values())
print(f"total weight {total:.1f}")
for title, c in (("threads", threads), ("top frames", top), ("first hub frame", hub), ("inclusive", incl)):
    print(f"\n== {title}")
    for k, n in c.most_common(25): print(f"{n:9.2f} {100*n/total:5.1f}%  {k}")
