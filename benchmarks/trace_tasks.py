"""The longest tasks of a page load's main thread, and the functions they ran.

Reads a trace that `bench_audit --reports DIR --traces` kept (Lighthouse's own, with V8's CPU
profile) and prints, for each of the longest tasks, its start and length as traced (before
Lighthouse's simulated 4x CPU slowdown), the trace events inside it by time, and the functions
that the profile's samples were in (self, then inclusive). docs/performance.md uses it to say
what a page's blocking time is made of.

    python -m benchmarks.trace_tasks /tmp/audit/home-en-signed_in-mobile-0-0.trace.json --top 5
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

Event = dict[str, Any]


def main_thread(events: list[Event]) -> tuple[int, int]:
    """The renderer's main thread: the one that parsed the page's HTML."""
    parse = next(e for e in events if e.get("name") == "ParseHTML")
    return parse["pid"], parse["tid"]


def samples_of(events: list[Event], pid: int) -> tuple[list[tuple[float, int]], dict[int, Any]]:
    """V8's profile samples (time, node id) and nodes, from the Profile and ProfileChunk events."""
    nodes: dict[int, Any] = {}
    samples: list[tuple[float, int]] = []
    clock = 0.0
    for event in events:
        if event.get("pid") != pid or event.get("name") not in ("Profile", "ProfileChunk"):
            continue
        data = event["args"]["data"]
        if event["name"] == "Profile":
            clock = data.get("startTime", 0)
            continue
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes") or []:
            nodes[node["id"]] = node
        for sample, delta in zip(
            profile.get("samples") or [], data.get("timeDeltas") or [], strict=True
        ):
            clock += delta
            samples.append((clock, sample))
    return samples, nodes


def frame_name(node: Any) -> str:
    frame = node["callFrame"]
    script = frame.get("url", "").rsplit("/", 1)[-1]
    return f"{frame.get('functionName') or '(anonymous)'} {script}:{frame.get('lineNumber')}"


def report(trace: Path, top: int) -> None:
    loaded = json.loads(trace.read_text())
    events: list[Event] = loaded["traceEvents"] if isinstance(loaded, dict) else loaded
    pid, tid = main_thread(events)
    on_main = [
        e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"
    ]
    start = min(e["ts"] for e in on_main)
    samples, nodes = samples_of(events, pid)
    parents = {n["id"]: n["parent"] for n in nodes.values() if "parent" in n}
    tasks = sorted((e for e in on_main if e["name"] == "RunTask"), key=lambda e: -e["dur"])
    for task in tasks[:top]:
        begin, end = task["ts"], task["ts"] + task["dur"]
        print(f"task at {(begin - start) / 1000:.0f} ms, {task['dur'] / 1000:.1f} ms long")
        inside: Counter[str] = Counter()
        for event in on_main:
            if begin <= event["ts"] and event["ts"] + event["dur"] <= end and event is not task:
                inside[event["name"]] += event["dur"]
        print("  events:", ", ".join(f"{n} {d / 1000:.1f}" for n, d in inside.most_common(6)))
        own: Counter[str] = Counter()
        within: Counter[str] = Counter()
        for at, node in samples:
            if begin <= at <= end:
                own[frame_name(nodes[node])] += 1
                seen = set()
                while node in nodes:
                    name = frame_name(nodes[node])
                    if name not in seen:
                        within[name] += 1
                        seen.add(name)
                    node = parents.get(node, -1)
        print("  self:", "; ".join(f"{n} ({c})" for n, c in own.most_common(6)))
        print("  inclusive:", "; ".join(f"{n} ({c})" for n, c in within.most_common(10)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trace", type=Path)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args(argv)
    report(args.trace, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
