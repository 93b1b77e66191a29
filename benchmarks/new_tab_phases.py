"""Where a new tab's time goes between its first paint and being interactive, phase by phase,
on the page's own clock and without a trace.

`trace_new_tab` reads Chromium's trace, which slows the page it times (a traced new tab took
490-670 ms where an untraced one took 300-360). This records a handful of moments from inside
the page instead, with an init script beside the page clock's recorder (`page_clock.py`):

* **first contentful paint** (the paint timing entry) and **posts shown** (the page clock);
* **modules asked for**: the loader of `web/scripts_after_paint.py` adds the module script;
* **modules arrived**: the last of the page's JavaScript files has been received (resource
  timing), from the cache in a new tab;
* **first commit**: React has hydrated the page (its first commit, reported to a stand-in of
  React DevTools' hook, `__REACT_DEVTOOLS_GLOBAL_HOOK__`, which React calls once per commit);
* **hydrate sent** and **socket connected**, from the page clock (Reflex's instrumentation
  hooks): interactive is the later of the two.

Between "modules arrived" and "first commit" the modules are parsed, evaluated and the page
hydrated; between "hydrate sent" and "socket connected" the socket.io CONNECT packet, which
carries the hydrate event, waits for the server's acknowledgement.

    python -m benchmarks.new_tab_phases / /explore /user/user2 --tabs 12

Prints, for each page, the p50 of each moment (ms since the navigation started) and of the
spans between them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.bench_feeds import (
    DATABASE_URL,
    feed_recorder,
    reader_context,
    serve_production_build,
)
from benchmarks.page_clock import recorded_load
from microblog.db import make_engine
from tests.app_server import CHROMIUM, CHROMIUM_ARGS

# The moments, in the order a new tab reaches them, and their keys in a load's record.
MOMENTS = (
    ("first contentful paint", "paint"),
    ("posts shown", "shown"),
    ("modules asked for", "asked"),
    ("modules arrived", "arrived"),
    ("first commit (hydrated)", "commit"),
    ("hydrate sent", "sent"),
    ("socket connected", "connected"),
)
# The spans worth reading on their own: (label, from, to).
SPANS = (
    ("asked for -> arrived (fetch)", "asked", "arrived"),
    ("arrived -> first commit (parse, evaluate, hydrate)", "arrived", "commit"),
    ("first commit -> hydrate sent (effects)", "commit", "sent"),
    ("hydrate sent -> connected (CONNECT acknowledged)", "sent", "connected"),
)

_MOMENTS_JS = """(() => {
  const at = (window.__newTabPhases = {});
  const first = (key) => { if (at[key] === undefined) at[key] = performance.now(); };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, renderers: new Map(), inject() { return 1; }, checkDCE() {},
    onCommitFiberRoot() { first('commit'); }, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {},
  };
  new MutationObserver((records, observer) => {
    for (const record of records) for (const node of record.addedNodes) {
      if (node.tagName === 'SCRIPT' && node.type === 'module') {
        first('asked');
        observer.disconnect();
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();"""

# Read once the page clock has reported (the page is live by then).
_READ_JS = """() => {
  const at = { ...window.__newTabPhases };
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  if (paint) at.paint = paint.startTime;
  // The page's own modules: those asked for before the hydration (not a chunk loaded later).
  const scripts = performance.getEntriesByType('resource').filter((entry) =>
    /\\/assets\\/.*\\.js$/.test(entry.name) && entry.startTime < (at.commit ?? Infinity));
  if (scripts.length) at.arrived = Math.max(...scripts.map((entry) => entry.responseEnd));
  return at;
}"""


def summarize(loads: Sequence[Mapping[str, float]]) -> dict[str, float | None]:
    """The p50 of each moment and span over `loads` (a moment a load lacks is left out of
    that moment's p50; a span counts the loads that have both ends)."""
    summary: dict[str, float | None] = {}
    for label, key in MOMENTS:
        values = [load[key] for load in loads if key in load]
        summary[label] = statistics.median(values) if values else None
    for label, start, end in SPANS:
        values = [load[end] - load[start] for load in loads if start in load and end in load]
        summary[label] = statistics.median(values) if values else None
    return summary


def measure(context: Any, paths: Sequence[str], tabs: int) -> dict[str, list[dict[str, float]]]:
    """`tabs` new tabs of each path, in turn; the moments of each load."""
    loads: dict[str, list[dict[str, float]]] = {path: [] for path in paths}
    for _ in range(tabs):
        for path in paths:
            tab = context.new_page()
            times = recorded_load(tab, path)
            moments = tab.evaluate(_READ_JS)
            clocked = {"shown": times.shown, "sent": times.sent, "connected": times.connected}
            moments.update({key: at for key, at in clocked.items() if at is not None})
            loads[path].append(moments)
            tab.close()
    return loads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/", "/explore", "/user/user2"])
    parser.add_argument("--tabs", type=int, default=12, help="new tabs per page")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--port", type=int, default=3100)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    engine = make_engine(args.database_url)
    recorder = feed_recorder(engine)
    engine.dispose()
    with ExitStack() as stack:
        work_dir = Path(tempfile.mkdtemp(prefix="new-tab-phases-"))
        server = stack.enter_context(serve_production_build(args.database_url, args.port, work_dir))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        context = reader_context(browser, server.frontend, args.paths, recorder, _MOMENTS_JS)
        for path, loads in measure(context, args.paths, args.tabs).items():
            print(f"{path} ({len(loads)} new tabs), p50 ms on the page's clock:")
            for label, value in summarize(loads).items():
                shown = "   n/a" if value is None else f"{value:6.1f}"
                print(f"  {label:52} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
