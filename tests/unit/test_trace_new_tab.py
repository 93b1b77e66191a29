"""benchmarks/trace_new_tab.py: a new tab's whole-page style passes, first layout, module parse
and websocket connect, read from a small trace of the shape Chromium's tracing writes."""

from __future__ import annotations

from benchmarks.trace_new_tab import summarize


def _socket(thread: dict, name: str, ts: int, identifier: int) -> dict:
    return {
        **thread,
        "ph": "I",
        "name": name,
        "ts": ts,
        "args": {"data": {"identifier": identifier}},
    }


def _events() -> list[dict]:
    main = {"pid": 1, "tid": 7}
    worker = {"pid": 1, "tid": 9}
    navigation = 1_000_000  # µs: the page's clock starts here
    return [
        {**main, "ph": "M", "name": "thread_name", "args": {"name": "CrRendererMain"}},
        {**worker, "ph": "M", "name": "thread_name", "args": {"name": "ThreadPoolForeground"}},
        {**main, "ph": "R", "name": "navigationStart", "ts": navigation},
        # A small layout, the page's first large one, a small one later, and one of the page
        # before (a reload's trace begins there).
        {**main, "ph": "X", "name": "Layout", "ts": navigation + 100_000, "dur": 500},
        {**main, "ph": "X", "name": "Layout", "ts": navigation + 150_000, "dur": 60_000},
        {**main, "ph": "X", "name": "Layout", "ts": navigation + 400_000, "dur": 1_000},
        {**main, "ph": "X", "name": "Layout", "ts": navigation - 50_000, "dur": 90_000},
        # Two passes over the whole page and one over a few elements.
        {
            **main,
            "ph": "X",
            "name": "UpdateLayoutTree",
            "ts": navigation + 120_000,
            "dur": 30_000,
            "args": {"elementCount": 1424},
        },
        {
            **main,
            "ph": "X",
            "name": "UpdateLayoutTree",
            "ts": navigation + 300_000,
            "dur": 4_000,
            "args": {"elementCount": 39},
        },
        {
            **main,
            "ph": "X",
            "name": "UpdateLayoutTree",
            "ts": navigation + 520_000,
            "dur": 25_000,
            "args": {"elementCount": 1416},
        },
        # Modules parsed off the main thread.
        {**worker, "ph": "X", "name": "v8.parseOnBackground", "ts": navigation, "dur": 80_000},
        {**worker, "ph": "X", "name": "v8.parseOnBackground", "ts": navigation, "dur": 20_000},
        # The page before closing its socket (1) after the navigation started; the new page's
        # socket (2): a message before the connect (the Engine.IO open), the CONNECT packet, and
        # the two answers after it, the first being the acknowledgement.
        _socket(main, "WebSocketSend", navigation + 3_000, 1),
        _socket(main, "WebSocketReceive", navigation + 4_000, 1),
        _socket(main, "WebSocketCreate", navigation + 450_000, 2),
        _socket(main, "WebSocketReceive", navigation + 480_000, 2),
        _socket(main, "WebSocketSend", navigation + 510_000, 2),
        _socket(main, "WebSocketReceive", navigation + 555_000, 2),
        _socket(main, "WebSocketReceive", navigation + 560_000, 2),
        _socket(main, "WebSocketSend", navigation + 600_000, 2),
        # Another thread's style pass is not the page's.
        {
            **worker,
            "ph": "X",
            "name": "UpdateLayoutTree",
            "ts": navigation + 10_000,
            "dur": 9_000,
            "args": {"elementCount": 5000},
        },
    ]


def test_a_trace_gives_its_whole_page_passes_first_layout_parse_and_connect() -> None:
    summary = summarize(_events())
    assert summary.style_passes == [(120.0, 30.0, 1424), (520.0, 25.0, 1416)]
    assert summary.largest_layout == (150.0, 60.0)
    assert (summary.parse_longest, summary.parse_sum) == (80.0, 100.0)
    assert (summary.connect_sent, summary.acknowledged) == (510.0, 555.0)
    line = summary.line()
    assert "at 120 (30 ms, 1424), 520 (25 ms, 1416)" in line
    assert "connect sent 510, handled 555" in line


def test_the_threshold_says_what_a_whole_page_pass_is() -> None:
    assert [n for _, _, n in summarize(_events(), whole=30).style_passes] == [1424, 39, 1416]


def test_a_trace_without_a_connect_says_so() -> None:
    events = [e for e in _events() if not e["name"].startswith("WebSocket")]
    summary = summarize(events)
    assert summary.connect_sent is None
    assert summary.line().endswith("connect -")
