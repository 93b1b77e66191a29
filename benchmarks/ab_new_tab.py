"""Two checkouts' production builds side by side: new tabs alternating between them in one
browser, timed by the page's own clock.

`bench_feeds --browser` measures one build at a time, and on a shared machine two of its runs
a minute apart can differ by more than the change being measured (runs of the same code spread
over 430-810 ms here). This serves this checkout and `--other` (another worktree, for a
before/after comparison) at once, on the scale data set, signs in as `heavy` on each, and then
opens new tabs of each page alternately on one side and the other (the side that goes first
changes every round), so that both sides meet the same moments of the machine. Each side has its
own browser context (its own HTTP cache and cookies), warmed by the sign-in and one visit of
each page, as a reader's browser is when they open a link to the site in a new tab.

    python -m benchmarks.ab_new_tab --other /work/base / /explore /user/user2 --tabs 20
    python -m benchmarks.ab_new_tab --other /work/base --language es  # a Spanish reader

`--language` gives `heavy` that language for the run (the pages are then drawn and shown in it)
and gives back the one they had afterwards.

Prints, for each page and side, the p50 and p95 of when the posts were shown and when the page
was interactive (hydrated, socket connected), and the p50 of the difference between the pairs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.bench_feeds import (
    DATABASE_URL,
    feed_recorder,
    percentile,
    reader_context,
    serve_production_build,
)
from benchmarks.page_clock import PageTimes, recorded_load
from microblog.config import PROJECT_ROOT
from microblog.db import make_engine
from microblog.i18n import LANGUAGES
from microblog.seed import HEAVY_FOLLOWER
from microblog.services import users
from tests.app_server import CHROMIUM, CHROMIUM_ARGS

Times = dict[tuple[str, str], list[PageTimes]]  # (side, path) -> one load per new tab


@contextmanager
def reader_language(engine: Engine, language: str | None) -> Iterator[None]:
    """`heavy` reads in `language` until the block ends (None: as they are)."""
    if language is None:
        yield
        return
    with Session(engine) as session:
        heavy = users.get_user_by_username(session, HEAVY_FOLLOWER)
        user_id, before = heavy.id or 0, heavy.language
        users.set_language(session, user_id=user_id, language=language)
        session.commit()
    try:
        yield
    finally:
        with Session(engine) as session:
            restored = users.get_user(session, user_id)
            restored.language = before
            session.add(restored)
            session.commit()


def compare(contexts: dict[str, Any], paths: list[str], tabs: int) -> Times:
    """`tabs` new tabs of each path on each side, alternating; the times per (side, path)."""
    times: Times = {(s, p): [] for s in contexts for p in paths}
    sides = list(contexts)
    for round_ in range(tabs):
        for path in paths:
            for side in sides if round_ % 2 == 0 else reversed(sides):
                tab = contexts[side].new_page()
                times[(side, path)].append(recorded_load(tab, path))
                tab.close()
    return times


def report(times: Times, paths: list[str], sides: list[str]) -> None:
    for path in paths:
        for field in ("shown", "interactive"):
            pairs = []
            for side in sides:
                samples = [getattr(t, field) or 0.0 for t in times[(side, path)]]
                pairs.append(samples)
                print(
                    f"{path:14} {field:11} {side:6} p50 {statistics.median(samples):6.1f} ms"
                    f"  p95 {percentile(samples, 95):6.1f} ms  (n={len(samples)})"
                )
            differences = [b - a for a, b in zip(*pairs, strict=True)]
            print(
                f"{path:14} {field:11} {sides[1]} - {sides[0]}: p50 of the pairs' difference "
                f"{statistics.median(differences):+.1f} ms"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/", "/explore", "/user/user2"])
    parser.add_argument("--other", type=Path, required=True, help="the other checkout")
    parser.add_argument("--tabs", type=int, default=20, help="new tabs per page and side")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--ports", type=int, nargs=2, default=(3100, 3200))
    parser.add_argument("--language", choices=LANGUAGES, help="heavy's language for the run")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    roots = {"other": args.other.resolve(), "this": PROJECT_ROOT}
    engine = make_engine(args.database_url)
    recorder = feed_recorder(engine)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        stack.enter_context(reader_language(engine, args.language))
        servers = {
            side: stack.enter_context(
                serve_production_build(
                    args.database_url, port, Path(tempfile.mkdtemp(prefix="ab-new-tab-")), root
                )
            )
            for (side, root), port in zip(roots.items(), args.ports, strict=True)
        }
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        contexts = {
            side: reader_context(browser, server.frontend, args.paths, recorder)
            for side, server in servers.items()
        }
        report(compare(contexts, args.paths, args.tabs), args.paths, list(contexts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
