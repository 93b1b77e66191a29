"""Search benchmark: `search_posts` (what the /search page calls) on the scale data set with the
built-in engine, for a realistic mix of rare and common words, typos and deep pages.

    DATABASE_URL=sqlite:////tmp/me-scale.db python -m microblog seed --scale --yes
    DATABASE_URL=sqlite:////tmp/me-scale.db python -m benchmarks.bench_search
    python -m benchmarks.bench_search --database-url postgresql://postgres@127.0.0.1/bench

The seed's posts are built from ~60 words, so each of them is a common word (in ~10% of 1M
posts). The first run adds 300 posts with rare made-up words (through the post service, as a
user would) so rare words and their typos can be measured too. Each query runs in its own
session, as the page's `run_read` does. Results: docs/search.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session

from microblog.config import normalize_database_url
from microblog.db import make_engine
from microblog.services import posts, search

RARE_MARK = "benchrare"


def _rare_words(rng: random.Random, n: int) -> list[str]:
    letters = "bcdfghjklmnpqrstvwz"
    vowels = "aeiou"
    return [
        "".join(rng.choice(letters) + rng.choice(vowels) for _ in range(4)) + "x" for _ in range(n)
    ]


def ensure_rare_posts(engine, rng: random.Random) -> list[str]:
    words = _rare_words(rng, 300)
    with Session(engine) as session:
        have = session.execute(
            text("SELECT count(*) FROM post WHERE body LIKE :m"), {"m": f"%{RARE_MARK}%"}
        ).scalar()
        if not have:
            for i, word in enumerate(words):
                posts.create_post(
                    session,
                    author_id=1 + i % 100,
                    body=f"{RARE_MARK} {word} with coffee and friends",
                )
            session.commit()
    return words


def typo(word: str, rng: random.Random) -> str:
    """One edit: swap two neighbours, drop, or replace a letter (never the first)."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + ("a" if word[i] != "a" else "e") + word[i + 1 :]


COMMON = ["coffee", "python", "garden", "weekend", "mountain", "release", "benchmark", "friends"]


def query_mix(rare: list[str], rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, query, page) triples, weighted like a search box's traffic."""
    mix: list[tuple[str, str, int]] = []
    for _ in range(60):
        mix.append(("common word", rng.choice(COMMON), 1))
        mix.append(("two common words", " ".join(rng.sample(COMMON, 2)), 1))
        mix.append(("common word, typo", typo(rng.choice(COMMON), rng), 1))
        mix.append(("rare word", rng.choice(rare), 1))
        mix.append(("rare word, typo", typo(rng.choice(rare), rng), 1))
        mix.append(("rare + common", f"{rng.choice(rare)} coffee", 1))
        mix.append(("no match", "qq" + rng.choice(rare), 1))
        mix.append(("common word, page 2", rng.choice(COMMON), 2))
        mix.append(("common word, page 400", rng.choice(COMMON), 400))
    rng.shuffle(mix)
    return mix


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(database_url: str, per_page: int = 25) -> dict[str, list[float]]:
    engine = make_engine(normalize_database_url(database_url))
    search.use_external(None)
    rng = random.Random(16)
    rare = ensure_rare_posts(engine, rng)
    timings: dict[str, list[float]] = {}

    def once(q: str, page: int) -> Callable[[Session], object]:
        return lambda s: search.search_posts(s, q=q, page=page, per_page=per_page)

    for q, page in (("coffee", 1), (rare[0], 1), ("cofee", 1)):  # warm the caches
        with Session(engine) as session:
            once(q, page)(session)
    for kind, q, page in query_mix(rare, rng):
        started = time.perf_counter()
        with Session(engine) as session:
            results = search.search_posts(session, q=q, page=page, per_page=per_page)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        if kind.startswith("rare word") and not results.posts:
            raise AssertionError(f"{q!r} should find a post")
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    args = parser.parse_args()
    from microblog.config import get_settings

    url = args.database_url or get_settings().database_url
    timings = run(url)
    everything = [t for samples in timings.values() for t in samples]
    print(f"Search on {make_engine(normalize_database_url(url)).dialect.name}:")
    print("| queries | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for kind, samples in [*timings.items(), ("all", everything)]:
        print(
            f"| {kind} | {len(samples)} | {statistics.median(samples):.2f} | "
            f"{pct(samples, 95):.2f} | {max(samples):.2f} |"
        )


if __name__ == "__main__":
    main()
