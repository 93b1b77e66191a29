"""Post body renderer benchmark: `render_post` (run once per post, when it is written) and
`post_length` (run by the compose box's live counter on every keystroke), on a realistic
300-character post with a link, a mention and two tags.

    python -m benchmarks.bench_rich_text
    python -m benchmarks.bench_rich_text --rounds 50 --calls 200

The mention is answered by an in-memory `known_users` (no database: the look-up is one indexed
query whatever the renderer does, and is not what is measured here). Each round times `--calls`
calls and divides; printed are the median and p95 of the per-call time over `--rounds` rounds,
so a round slowed by another process on the machine shows in p95, not in the median. Also
printed: `post_length` of the same post without its URL (the counter's usual case).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from microblog.services.rich_text import post_length, render_post

POST = (
    "Spent the weekend rewriting our **feed** renderer with @susan: posts are now rendered "
    "once, when written. Notes and numbers at "
    "https://blog.example.com/2024/06/feed-rendering-notes?utm_source=microblog "
    "#Python #performance. Next up: caching the avatars, and a *proper* look at the search "
    "index."
)


def known_users(names: set[str]) -> dict[str, str]:
    return {name: name for name in names if name == "susan"}


def per_call_us(work: Callable[[], object], *, rounds: int, calls: int) -> list[float]:
    """Per-call time in microseconds, one figure per round."""
    work()  # the thread's parser is built on the first call
    figures = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            work()
        figures.append((time.perf_counter() - started) / calls * 1e6)
    return figures


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def pct(samples: list[float], p: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args(argv)
    rendered = render_post(POST, known_users=known_users)
    assert rendered.mentions == ("susan",) and rendered.tags == ("python", "performance")
    without_url = POST.replace("https://", "")
    cases = {
        "render_post": lambda: render_post(POST, known_users=known_users),
        "post_length": lambda: post_length(POST),
        "post_length, no URL": lambda: post_length(without_url),
    }
    print(f"{os.cpu_count()} CPUs; load average at start {load_average()}")
    print(
        f"A post of {len(POST)} characters ({rendered.length} as counted), "
        f"{len(rendered.html)} characters of HTML."
    )
    print("| call | median µs | p95 µs |")
    print("|---|---|---|")
    for name, work in cases.items():
        figures = per_call_us(work, rounds=args.rounds, calls=args.calls)
        print(f"| {name} | {statistics.median(figures):.1f} | {pct(figures, 95):.1f} |")
    print(f"Load average at end: {load_average()}")


if __name__ == "__main__":
    main()
