"""A page load timed by the page itself, on its own clock, with nothing from the benchmark
running in the page until the load is over.

Waiting with Playwright (`wait_for_function`) puts work on the page's main thread while it
loads: Playwright's injected script is compiled and run in the page (about 10 ms in a trace),
and the condition is then evaluated over the DevTools protocol on every animation frame. Started
right after the navigation commits, that work delayed the first paint it was timing
(docs/performance.md, "The benchmark's own work in the page").

So the recorder is an init script, installed on the browser context before any navigation,
that runs in every document from its start:

* it wraps the hooks Reflex's client calls for instrumentation (`window.__reflex_otel`, see
  .web/utils/state.js): `onEventSend` first fires with the hydrate event, which the hydrated app
  sends, and `onSocketConnect` when the socket is connected. **Interactive** is the later of the
  two: React has hydrated the page and a click runs its handler;
* on every animation frame it looks for the posts the benchmark expects at that address (the
  first and the last of the page, the last one visible): **shown** is the first frame that shows
  them (the server's drawing counts), **live** the first that shows them drawn by the page's
  own list once the server's drawing is gone;
* it says so on the console, which the DevTools protocol reports without evaluating anything in
  the page: `SHOWN_MARK` at the first frame with the posts, then `DONE_MARK` and the three times
  (milliseconds since the navigation started) once it has all of them. An address with no
  expected posts reports at interactive alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SHOWN_MARK = "page-clock:shown"
DONE_MARK = "page-clock:done "

# Whether the expected posts are on screen, the last of them visible: the page's clock then.
POSTS_SHOWN_JS = """([first, last, n]) => {
  const posts = [...document.querySelectorAll('.post')].filter((p) => p.checkVisibility());
  if (posts.length < n) return false;
  if (posts[0].dataset.postId !== first || posts[n - 1].dataset.postId !== last) return false;
  const el = posts[n - 1];
  return el.checkVisibility() && el.getBoundingClientRect().height > 0 && performance.now();
}"""

# Whether the server's drawing of the posts (components/feed_first_paint.py) still shows.
SERVER_DRAWN_JS = (
    "() => [...document.querySelectorAll('.feed-first-paint:not(:empty)')]"
    ".some((e) => e.checkVisibility())"
)

_RECORDER_JS = """((expected) => {
  const times = {};
  const first = (key) => { if (times[key] === undefined) times[key] = performance.now(); };
  const installed = window.__reflex_otel || {};
  window.__reflex_otel = {
    ...installed,
    onSocketConnect(...a) { first('connected'); return installed.onSocketConnect?.(...a); },
    onEventSend(...a) { first('sent'); return installed.onEventSend?.(...a); },
  };
  const shown = %(shown)s;
  const drawn = %(drawn)s;
  const wanted = expected[location.pathname + location.search];
  function frame() {
    const at = wanted && times.live === undefined ? shown(wanted) : false;
    if (at && times.shown === undefined) { times.shown = at; console.debug(%(shown_mark)s); }
    if (at && !drawn()) times.live = at;
    if (times.interactive === undefined && times.connected !== undefined
        && times.sent !== undefined) {
      times.interactive = Math.max(times.connected, times.sent);
    }
    if (times.interactive !== undefined && (!wanted || times.live !== undefined)) {
      console.debug(%(done_mark)s + JSON.stringify(times));
      return;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})"""


def wanted_posts(ids: Sequence[int], per_page: int) -> list[str | int]:
    """`POSTS_SHOWN_JS`'s argument: a page's first and last of `per_page` posts, and how many."""
    return [str(ids[0]), str(ids[per_page - 1]), per_page]


def recorder_script(expected: Mapping[str, Sequence[int]] | None = None, per_page: int = 0) -> str:
    """The init script, given the posts expected at each address (path and query, e.g.
    "/explore", "/?page=2"): the ids in the order the page lists them, `per_page` of them. With
    none, every page reports at interactive."""
    wanted = {address: wanted_posts(ids, per_page) for address, ids in (expected or {}).items()}
    script = _RECORDER_JS % {
        "shown": POSTS_SHOWN_JS,
        "drawn": SERVER_DRAWN_JS,
        "shown_mark": json.dumps(SHOWN_MARK),
        "done_mark": json.dumps(DONE_MARK),
    }
    return f"{script}({json.dumps(wanted)})"


@dataclass
class PageTimes:
    """One load, on the page's clock (ms since its navigation started); `shown_seen` is when
    the benchmark heard that the posts showed (`time.perf_counter()`), None for an address with
    no expected posts."""

    interactive: float
    shown: float | None
    live: float | None
    shown_seen: float | None
    sent: float | None = None  # the hydrate event sent, then the socket connected: the two
    connected: float | None = None  # moments whose later one is `interactive`


def recorded_load(page: Any, address: str, timeout: float = 30_000) -> PageTimes:
    """Navigate `page` to `address` and wait for the recorder's report (the recorder must be
    installed on the page's context: `context.add_init_script(recorder_script(...))`)."""
    heard: list[float] = []

    def on_console(message: Any) -> None:
        if message.text == SHOWN_MARK and not heard:
            heard.append(time.perf_counter())

    page.on("console", on_console)
    try:
        with page.expect_console_message(
            lambda message: message.text.startswith(DONE_MARK), timeout=timeout
        ) as done:
            page.goto(address, wait_until="commit", timeout=timeout)
        times = json.loads(done.value.text[len(DONE_MARK) :])
    finally:
        page.remove_listener("console", on_console)
    return PageTimes(
        interactive=times["interactive"],
        shown=times.get("shown"),
        live=times.get("live"),
        shown_seen=heard[0] if heard else None,
        sent=times.get("sent"),
        connected=times.get("connected"),
    )
