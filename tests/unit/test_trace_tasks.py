"""benchmarks/trace_tasks.py: the longest tasks of a Lighthouse trace and the functions its CPU
profile found in them, on a small trace of the shape Lighthouse saves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.trace_tasks import report


def _trace() -> dict:
    main = {"pid": 1, "tid": 7}
    frame = {"url": "http://x/assets/feed_first_paint-1.js", "lineNumber": 0, "scriptId": "1"}
    nodes = [
        {"id": 1, "callFrame": {"functionName": "(root)", "url": ""}},
        {"id": 2, "parent": 1, "callFrame": {**frame, "functionName": "LiveFeed"}},
        {"id": 3, "parent": 2, "callFrame": {**frame, "functionName": "strip"}},
    ]
    return {
        "traceEvents": [
            {**main, "ph": "X", "name": "ParseHTML", "ts": 1_000, "dur": 100},
            {**main, "ph": "X", "name": "RunTask", "ts": 2_000, "dur": 80_000},
            {**main, "ph": "X", "name": "UpdateLayoutTree", "ts": 2_100, "dur": 30_000},
            {**main, "ph": "X", "name": "RunTask", "ts": 90_000, "dur": 5_000},
            {"pid": 1, "tid": 9, "ph": "P", "name": "Profile", "args": {"data": {"startTime": 0}}},
            {
                "pid": 1,
                "tid": 9,
                "ph": "P",
                "name": "ProfileChunk",
                "args": {
                    "data": {
                        "cpuProfile": {"nodes": nodes, "samples": [3, 3, 2, 3]},
                        "timeDeltas": [3_000, 1_000, 1_000, 100_000],
                    }
                },
            },
        ]
    }


def test_the_longest_task_comes_first_with_its_events_and_functions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "t.trace.json"
    trace.write_text(json.dumps(_trace()))
    report(trace, top=1)
    printed = capsys.readouterr().out
    assert "task at 1 ms, 80.0 ms long" in printed  # from the first event on the main thread
    assert "UpdateLayoutTree 30.0" in printed
    # Three samples fall inside the task (the fourth, 100 ms later, does not): two in `strip`,
    # one in `LiveFeed` itself; inclusive, all three are under `LiveFeed`.
    assert "strip feed_first_paint-1.js:0 (2)" in printed
    assert "LiveFeed feed_first_paint-1.js:0 (3)" in printed
    assert "5.0 ms long" not in printed  # only the top one
