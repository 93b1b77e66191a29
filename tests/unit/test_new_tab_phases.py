"""benchmarks/new_tab_phases.py: the p50 of each moment of a new tab and of the spans between
them, over loads that may lack a moment (a page whose scripts came from nowhere the resource
timing saw, a load with no paint entry)."""

from __future__ import annotations

from benchmarks.new_tab_phases import MOMENTS, SPANS, summarize


def _load(asked: float, arrived: float, commit: float, sent: float, connected: float) -> dict:
    return {
        "asked": asked,
        "arrived": arrived,
        "commit": commit,
        "sent": sent,
        "connected": connected,
    }


def test_each_moment_and_span_is_the_median_of_the_loads_that_have_it() -> None:
    loads = [
        {**_load(100, 150, 300, 302, 315), "paint": 120.0, "shown": 90.0},
        {**_load(110, 170, 330, 333, 350), "paint": 130.0},
        _load(120, 160, 310, 312, 330),
    ]
    summary = summarize(loads)

    assert summary["modules asked for"] == 110
    assert summary["first commit (hydrated)"] == 310
    assert summary["first contentful paint"] == 125  # the two loads that have one
    assert summary["posts shown"] == 90
    # Spans are taken load by load, not as the difference of two medians.
    assert summary["arrived -> first commit (parse, evaluate, hydrate)"] == 150
    assert summary["hydrate sent -> connected (CONNECT acknowledged)"] == 17
    assert summary["asked for -> arrived (fetch)"] == 50


def test_a_moment_no_load_has_is_reported_as_missing() -> None:
    summary = summarize([{"sent": 300.0, "connected": 310.0}])

    assert summary["modules arrived"] is None
    assert summary["arrived -> first commit (parse, evaluate, hydrate)"] is None
    assert summary["hydrate sent -> connected (CONNECT acknowledged)"] == 10
    assert list(summary) == [label for label, _ in MOMENTS] + [label for label, *_ in SPANS]
