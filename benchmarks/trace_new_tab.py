"""Where a new tab's time goes before it is interactive, from Chromium's own trace.

`bench_feeds` says *when* a page became interactive in a new tab (hydrated, and the websocket's
connect acknowledged); this says what the renderer's main thread did until then. It serves the
production build on the scale data set (as `bench_feeds --browser --app-env prod` does), signs
in as `heavy`, then alternates a reload of each page with a first visit in a new tab, tracing
each with Chromium's tracing (Playwright's `browser.start_tracing`), and prints, per trace:

* every style pass over the whole page (at least `--whole` elements) and the largest layout
  (the page's first, in practice): on which clock time, how long, how many elements;
* the modules' parse on the worker threads (how long the longest took, the sum);
* when the hydrate event went out inside the socket.io CONNECT packet, and when the first
  message after it (the connect's acknowledgement) was handled on the main thread.

Tracing slows the page down (about 1.5-2x here), so compare traces with traces only. With
`--untraced N`, it instead times N new tabs of each page, untraced, alternating between the
plain page and one whose scripts may not add a `<style>` to the `<head>` (an experiment only:
that page loses Emotion's and the toasts' styles): the most that stylesheets inserted at run
time could cost a new tab (docs/performance.md, "A new tab: the style passes").

    python -m benchmarks.trace_new_tab /explore / --traces /tmp/traces --rounds 3
    python -m benchmarks.trace_new_tab /explore / --untraced 12
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bench_feeds import DATABASE_URL, log_in, serve_production_build
from benchmarks.page_clock import recorded_load, recorder_script
from tests.app_server import CHROMIUM, CHROMIUM_ARGS

Event = dict[str, Any]
CATEGORIES = [
    "blink.user_timing",  # navigationStart: the page's clock
    "devtools.timeline",  # tasks, style passes, layouts, WebSocket messages
    "disabled-by-default-devtools.timeline",
    "loading",
    "toplevel",
    "v8",  # the modules' parse on the worker threads
]
# An init script for the experiment: scripts may not put a <style> into the <head>.
NO_RUNTIME_STYLES_JS = """(() => {
  const kept = (node, parent) => !(node && node.tagName === "STYLE" && parent === document.head);
  const append = Node.prototype.appendChild, insert = Node.prototype.insertBefore;
  Node.prototype.appendChild = function (node) {
    return kept(node, this) ? append.call(this, node) : node;
  };
  Node.prototype.insertBefore = function (node, before) {
    return kept(node, this) ? insert.call(this, node, before) : node;
  };
})()"""


@dataclass
class Summary:
    """What one traced load did, on the page's clock (ms from navigationStart)."""

    style_passes: list[tuple[float, float, int]] = field(default_factory=list)  # at, ms, elements
    largest_layout: tuple[float, float] | None = None  # at, ms: the page's first, in practice
    parse_longest: float = 0.0
    parse_sum: float = 0.0
    connect_sent: float | None = None
    acknowledged: float | None = None

    def line(self) -> str:
        passes = ", ".join(f"{at:.0f} ({ms:.0f} ms, {n})" for at, ms, n in self.style_passes)
        layout = (
            f"{self.largest_layout[0]:.0f} ({self.largest_layout[1]:.0f} ms)"
            if self.largest_layout
            else "-"
        )
        socket = "-"
        if self.connect_sent is not None and self.acknowledged is not None:
            socket = f"sent {self.connect_sent:.0f}, handled {self.acknowledged:.0f}"
        return (
            f"whole-page style passes at {passes or '-'}; largest layout {layout}; "
            f"module parse longest {self.parse_longest:.0f} ms, sum {self.parse_sum:.0f} ms; "
            f"connect {socket}"
        )


def summarize(events: list[Event], whole: int = 1000) -> Summary:
    """The figures of one trace (see the module's docstring)."""
    names = {
        (e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("name") == "thread_name"
    }
    start = min(e["ts"] for e in events if e.get("name") == "navigationStart")
    summary = Summary()
    sockets: list[tuple[float, str, object]] = []  # at, event, the socket's identifier
    for event in sorted(events, key=lambda e: e.get("ts", 0)):
        thread = names.get((event.get("pid"), event.get("tid")), "")
        at = (event.get("ts", 0) - start) / 1000
        took = event.get("dur", 0) / 1000
        name = event.get("name")
        if name == "v8.parseOnBackground":
            summary.parse_longest = max(summary.parse_longest, took)
            summary.parse_sum += took
        # The page's own main thread, from its navigation on (a reload's trace begins on the
        # page before it, whose last socket messages go out after the navigation starts).
        if thread != "CrRendererMain" or at < 0:
            continue
        if name == "UpdateLayoutTree" and event.get("ph") == "X":
            elements = int(event.get("args", {}).get("elementCount") or 0)
            if elements >= whole:
                summary.style_passes.append((at, took, elements))
        elif name == "Layout" and event.get("ph") == "X":
            if summary.largest_layout is None or took > summary.largest_layout[1]:
                summary.largest_layout = (at, took)
        elif name in ("WebSocketCreate", "WebSocketSend", "WebSocketReceive"):
            data = (event.get("args") or {}).get("data") or {}
            sockets.append((at, name, data.get("identifier")))
    # The new page's socket is the last one created; its first send is the CONNECT packet with
    # the hydrate event (the Engine.IO handshake is not a message), and the first message
    # handled after it is the answer.
    created = [socket for _, name, socket in sockets if name == "WebSocketCreate"]
    own = [(at, name) for at, name, socket in sockets if created and socket == created[-1]]
    sends = [at for at, name in own if name == "WebSocketSend"]
    if sends:
        summary.connect_sent = sends[0]
        after = [at for at, name in own if name == "WebSocketReceive" and at > sends[0]]
        summary.acknowledged = after[0] if after else None
    return summary


def read_trace(path: Path) -> list[Event]:
    loaded = json.loads(path.read_text())
    events: list[Event] = loaded["traceEvents"] if isinstance(loaded, dict) else loaded
    return events


@contextmanager
def signed_in_browser(frontend: str, *init_scripts: str) -> Iterator[tuple[Any, list[Any]]]:
    """Chromium, and a signed-in private context per init script set ([] gives one plain)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = []
            for script in init_scripts or ("",):
                context = browser.new_context(base_url=frontend)
                context.add_init_script(recorder_script())
                if script:
                    context.add_init_script(script)
                log_in(context.new_page(), frontend)
                contexts.append(context)
            yield browser, contexts
        finally:
            browser.close()


def traced(browser: Any, context: Any, paths: list[str], rounds: int, folder: Path) -> None:
    page = context.pages[0]
    for path in paths:
        recorded_load(page, path)
    for round_ in range(rounds):
        for path in paths:
            slug = path.strip("/").replace("/", "_") or "home"
            for kind in ("reload", "new tab"):
                tab = page if kind == "reload" else context.new_page()
                trace = folder / f"{slug}-{kind.replace(' ', '_')}-{round_}.json"
                browser.start_tracing(page=tab, path=str(trace), categories=CATEGORIES)
                interactive = recorded_load(tab, path).interactive
                tab.wait_for_timeout(500)  # the acknowledgement and the live list, in the trace
                browser.stop_tracing()
                if tab is not page:
                    tab.close()
                print(f"{path} {kind} (interactive {interactive:.0f} ms, traced):", flush=True)
                print("  " + summarize(read_trace(trace)).line(), flush=True)


def untraced(contexts: dict[str, Any], paths: list[str], count: int) -> None:
    times: dict[tuple[str, str], list[float]] = {(k, p): [] for k in contexts for p in paths}
    for _ in range(count):
        for path in paths:
            for kind, context in contexts.items():
                tab = context.new_page()
                times[(kind, path)].append(recorded_load(tab, path).interactive)
                tab.close()
    for (kind, path), samples in times.items():
        print(
            f"{path} new tab, {kind}: interactive p50 {statistics.median(samples):.0f} ms "
            f"(runs {', '.join(f'{s:.0f}' for s in samples)})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/explore"])
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--port", type=int, default=3100)
    parser.add_argument("--rounds", type=int, default=3, help="traced reloads and new tabs")
    parser.add_argument("--traces", type=Path, help="keep the traces here")
    parser.add_argument("--whole", type=int, default=1000, help="elements of a whole-page pass")
    parser.add_argument("--untraced", type=int, default=0, help="time N new tabs instead")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="trace-new-tab-"))
    folder = args.traces or work
    folder.mkdir(parents=True, exist_ok=True)
    with serve_production_build(args.database_url, args.port, work) as server:
        if args.untraced:
            scripts = ("", NO_RUNTIME_STYLES_JS)
            with signed_in_browser(server.frontend, *scripts) as (_, contexts):
                named = dict(zip(("plain", "no run-time <style>"), contexts, strict=True))
                untraced(named, args.paths, args.untraced)
        else:
            with signed_in_browser(server.frontend) as (browser, contexts):
                traced(browser, contexts[0], args.paths, args.rounds, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
