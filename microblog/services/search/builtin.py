"""The built-in engines: SQLite FTS5 (BM25) and PostgreSQL full text (tsvector + GIN).

The index lives in the same database as the posts and is written in the post's own transaction
(FTS5 triggers; a stored generated tsvector column with a GIN index), so it cannot drift. The
vocabulary for typo tolerance is written there too, by `index()`.

Ranking is capped: the newest `RANK_WINDOW` matches (by id) are ranked by relevance and come
first, then any older matches follow newest first. bm25/ts_rank over every match of a common
word (100k posts) scores all of them; over a window the cost is bounded. The order is total and
stable, so deep pages neither repeat nor skip posts. One walk of the newest matches (by id)
serves the window, the page and the capped count. See docs/search.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.services.search import ddl, vocabulary
from microblog.services.search.analysis import matches, vocabulary_terms
from microblog.services.search.interface import Hits

RANK_WINDOW = 500
COUNT_CAP = 500
"""Counts stop here: "500+ results" costs a bounded walk (the ranked window's), an exact count a
full one."""


class BuiltinEngine:
    """What both built-in engines share; subclasses walk the matches and rank the window."""

    name = "builtin"

    def __init__(self, *, rank_window: int = RANK_WINDOW, count_cap: int = COUNT_CAP) -> None:
        self.rank_window = rank_window
        self.count_cap = count_cap

    def index(self, session: Session, *, post_id: int, body: str) -> None:
        vocabulary.add_terms(session, body)

    def remove(self, session: Session, *, post_id: int) -> None:
        """Nothing to do: the index entry goes with the row (trigger or generated column)."""

    def _walk_limit(self, offset: int, want: int) -> int:
        """How many of the newest matches one walk reads: enough for the capped count, for the
        ranked window when the page is in it, and for the page itself."""
        window = self.rank_window if offset < self.rank_window else 0
        return max(self.count_cap + 1, offset + want, window)

    def _page(
        self,
        session: Session,
        words: list[str],
        expanded: dict[str, list[str]],
        *,
        offset: int,
        want: int,
    ) -> tuple[list[int], int]:
        """Ids [offset, offset + want) in the final order, and how many matches the walk saw
        (`_walk_limit` at most; fewer means that is all of them)."""
        raise NotImplementedError

    def query(self, session: Session, words: list[str], *, offset: int, size: int) -> Hits:
        """Ids for [offset, offset + size) of: the ranked window, then older matches."""
        if not words:
            return Hits(ids=[], has_next=False, total=0)
        expanded = vocabulary.expand(session, words)
        # One more row than the page tells whether there is a next page.
        ids, walked = self._page(session, words, expanded, offset=offset, want=size + 1)
        return Hits(
            ids=ids[:size],
            has_next=len(ids) > size,
            total=min(walked, self.count_cap),
            total_capped=walked > self.count_cap,
            expanded=expanded,
        )

    def reindex(self, engine: Engine, *, batch_size: int, progress: Callable[[str], object]) -> int:
        """Refill the vocabulary from every post (in batches by id) and rebuild the index."""
        self._rebuild_index(engine)
        done, last_id = 0, 0
        while True:
            with Session(engine) as session:
                rows = session.execute(
                    text("SELECT id, body FROM post WHERE id > :last ORDER BY id LIMIT :n"),
                    {"last": last_id, "n": batch_size},
                ).all()
                if not rows:
                    break
                terms: set[str] = set()
                for _, body in rows:
                    terms |= vocabulary_terms(body)
                vocabulary.add_term_set(session, terms)
                session.commit()
            last_id = rows[-1][0]
            done += len(rows)
            progress(f"  {done:,} posts")
        return done

    def _rebuild_index(self, engine: Engine) -> None:
        raise NotImplementedError


class SqliteEngine(BuiltinEngine):
    """FTS5 with the porter stemmer; the window is ranked by BM25 computed here.

    Why not FTS5's own `bm25()`: before scoring its first row it counts every document of every
    phrase of the query (its idf), walking each common word's whole doclist (130k entries) on
    every query, which dominated a query of common words. Here the walk reads only rowids
    (cheap), the window's bodies are read by primary key, term frequencies come from the same
    matching rule as highlighting (so a post ranks by what it shows marked), and each word's
    idf is estimated from its matches among the newest `IDF_SAMPLE` posts (a rowid range
    FTS5 seeks to), only when the query has more than one word (one word: idf is a constant).
    """

    name = "sqlite-fts5"
    IDF_SAMPLE = 20_000
    K1, B = 1.2, 0.75
    _window_sql = text(
        "SELECT post.id, post.body FROM (SELECT rowid AS id FROM post_fts WHERE post_fts "
        "MATCH :q ORDER BY rowid DESC LIMIT :window) AS w JOIN post ON post.id = w.id"
    )
    _newest_sql = text(
        "SELECT rowid FROM post_fts WHERE post_fts MATCH :q ORDER BY rowid DESC "
        "LIMIT :lim OFFSET :off"
    )
    _count_sql = text(
        "SELECT count(*) FROM (SELECT rowid FROM post_fts WHERE post_fts MATCH :q LIMIT :cap)"
    )
    _sample_sql = text(
        "SELECT count(*) FROM post_fts WHERE post_fts MATCH :q AND rowid > :floor AND rowid <= :top"
    )

    def _page(
        self,
        session: Session,
        words: list[str],
        expanded: dict[str, list[str]],
        *,
        offset: int,
        want: int,
    ) -> tuple[list[int], int]:
        match = self._match(words, expanded)
        ids: list[int] = []
        in_window = -1  # how many matches the window holds, when it was read
        if offset < self.rank_window:
            bodies = dict(
                session.execute(self._window_sql, {"q": match, "window": self.rank_window}).all()
            )
            in_window = len(bodies)
            scores = self._scores(session, words, expanded, bodies)
            ranked = sorted(bodies, key=lambda i: (-scores[i], -i))
            ids = ranked[offset : offset + want]
        if offset + want > self.rank_window and in_window != 0:
            start = max(offset, self.rank_window)
            ids += session.execute(
                self._newest_sql, {"q": match, "off": start, "lim": offset + want - start}
            ).scalars()
        if 0 <= in_window < self.rank_window:
            return ids, in_window  # the window holds every match: an exact count for free
        counted = session.execute(self._count_sql, {"q": match, "cap": self.count_cap + 1})
        return ids, int(counted.scalar() or 0)

    def _scores(
        self,
        session: Session,
        words: list[str],
        expanded: dict[str, list[str]],
        bodies: dict[int, str],
    ) -> dict[int, float]:
        """BM25 of each post of the window (higher is better)."""
        if not bodies:
            return {}
        idf = [1.0] * len(words)
        if len(words) > 1:
            top = max(bodies)
            sample = min(self.IDF_SAMPLE, top)
            for n, word in enumerate(words):
                found = session.execute(
                    self._sample_sql,
                    {"q": self._match([word], expanded), "floor": top - sample, "top": top},
                ).scalar()
                df = int(found or 0)
                idf[n] = math.log(1 + (sample - df + 0.5) / (df + 0.5))
        # Which words of the window count for each query word: the query word, its typo
        # neighbours, and what highlighting marks (analysis.matches). Candidates share a
        # three-letter prefix with one of those; then one regex per query word counts the hits
        # in each post, so the per-post work stays in the regex engine.
        lowered = {post_id: body.lower() for post_id, body in bodies.items()}
        text_ = "\n".join(lowered.values())
        patterns: list[re.Pattern[str] | None] = []
        for word in words:
            group = {word, *expanded.get(word, [])}
            prefixes = "|".join(sorted({re.escape(t[:3]) for t in group}))
            candidates = set(re.findall(rf"\b(?:{prefixes})[^\W_]*", text_))
            hit = [t for t in candidates if t in group or any(matches(t, g) for g in group)]
            alternatives = "|".join(re.escape(t) for t in sorted(hit, key=len, reverse=True))
            patterns.append(re.compile(rf"\b(?:{alternatives})\b") if hit else None)
        # Length in whitespace-separated words: close enough to the token count for BM25's
        # length normalisation, and ten times cheaper than tokenising each post again.
        docs = [
            (
                post_id,
                len(body.split()),
                [len(p.findall(body)) if p else 0 for p in patterns],
            )
            for post_id, body in lowered.items()
        ]
        average = sum(length for _, length, _ in docs) / len(docs) or 1.0
        k1, b = self.K1, self.B
        return {
            post_id: sum(
                idf[n] * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average))
                for n, f in enumerate(tf)
                if f
            )
            for post_id, length, tf in docs
        }

    def _match(self, words: list[str], expanded: dict[str, list[str]]) -> str:
        """An FTS5 query: every word (or one of its typo neighbours) must appear. Each term is
        a quoted string, so nothing the user types is read as FTS5 syntax."""

        def quoted(term: str) -> str:
            return '"' + term.replace('"', '""') + '"'

        groups = [" OR ".join(quoted(t) for t in [w, *expanded.get(w, [])]) for w in words]
        return " AND ".join(f"({g})" for g in groups)

    def _rebuild_index(self, engine: Engine) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO {ddl.SQLITE_FTS_TABLE}({ddl.SQLITE_FTS_TABLE}) VALUES ('rebuild')"  # noqa: S608
            )


class PostgresEngine(BuiltinEngine):
    """`post.search_vector` (a stored generated `to_tsvector('english', body)`) behind a GIN
    index; the window is ranked by ts_rank on the stored vector.

    One statement walks the newest matches, ranks the first `rank_window` of them, and returns
    the page and how many it walked (the capped count). How it walks is chosen here, not by the
    planner, from the planner's estimate of the matches (E, from the column's statistics) and
    of the posts (N): walking the primary key backwards reads about walk * N / E rows, the GIN
    bitmap about E rows, each ~10x dearer (then sorts them): the walk wins when
    walk * N / E < 10 * E. A common
    word (13% of posts) walks ~8k rows for 1,001 matches; a rare one reads its few matches
    from the index. Left to itself the planner walks for rare words too (it expects the walk
    to stop early) and reads the whole table. `ORDER BY id + 0` rules the walk out;
    `force_custom_plan` keeps prepared statements (psycopg prepares after five runs) planned
    with the real words; parallel workers are off (a 2-core server gains nothing).
    """

    name = "postgres-fts"
    WALK_BUDGET = 60_000
    """The walk reads at most this many of the newest posts, or twice what the estimate
    expects it to need if that is more (deep pages). The estimate can be far off (two common
    words that rarely meet, a typo's OR of neighbours): when the budget holds too few matches,
    the GIN bitmap answers instead, so a misestimate costs one bounded walk, never a walk of the
    whole table."""
    BITMAP_ROW_COST = 10
    """A match read through the GIN bitmap (index decode, heap fetch, sort) costs about as much
    as ten rows of a backward primary-key walk (the ratio measured at 1M posts)."""
    _query = f"to_tsquery('{ddl.POSTGRES_CONFIG}', :q)"
    _vector = ddl.POSTGRES_COLUMN
    _setup_sql = text(
        "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
        "set_config('max_parallel_workers_per_gather', '0', true), "
        "reltuples, (SELECT max(id) FROM post) FROM pg_class WHERE oid = 'post'::regclass"
    )
    _estimate_sql = text(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM post WHERE {_vector} @@ {_query}"  # noqa: S608
    )
    _page_sql = (
        "SELECT id, count(*) OVER () FROM ("  # noqa: S608
        f"SELECT id, pos, CASE WHEN pos <= :window THEN ts_rank({_vector}, {_query}) END AS score "
        f"FROM (SELECT id, {_vector}, row_number() OVER (ORDER BY id DESC) AS pos FROM ("
        f"SELECT id, {_vector} FROM post WHERE {_vector} @@ {_query} AND id > :floor "
        "ORDER BY {order} DESC LIMIT :walk) AS newest) AS numbered) AS scored "
        "ORDER BY pos > :window, score DESC, id DESC OFFSET :off LIMIT :lim"
    )
    _walk_sql = text(_page_sql.replace("{order}", "id"))
    _bitmap_sql = text(_page_sql.replace("{order}", "id + 0"))
    _count_sql = text(
        "SELECT count(*) FROM (SELECT 1 FROM post "  # noqa: S608
        f"WHERE {_vector} @@ {_query} LIMIT :cap) AS c"
    )

    def _page(
        self,
        session: Session,
        words: list[str],
        expanded: dict[str, list[str]],
        *,
        offset: int,
        want: int,
    ) -> tuple[list[int], int]:
        match = self._match(words, expanded)
        walk = self._walk_limit(offset, want)
        _, _, posts, newest_id = session.execute(self._setup_sql).one()
        plan = session.execute(self._estimate_sql, {"q": match}).scalar()
        estimate = float(plan[0]["Plan"]["Plan Rows"]) if plan else 0.0
        walked_rows = walk * float(posts or 0) / max(estimate, 1.0)
        params = {"q": match, "window": self.rank_window, "walk": walk, "off": offset, "lim": want}
        rows: Sequence[Row[*tuple[Any, ...]]] = []
        if walked_rows < self.BITMAP_ROW_COST * estimate:
            budget = max(self.WALK_BUDGET, int(2 * walked_rows))
            floor = max(0, int(newest_id or 0) - budget)
            rows = session.execute(self._walk_sql, {**params, "floor": floor}).all()
            if floor and (not rows or int(rows[0][1]) < walk):
                rows = []  # the budget held too few matches: the estimate was wrong
            else:
                return self._result(rows, session, match)
        rows = session.execute(self._bitmap_sql, {**params, "floor": 0}).all()
        return self._result(rows, session, match)

    def _result(
        self, rows: Sequence[Row[*tuple[Any, ...]]], session: Session, match: str
    ) -> tuple[list[int], int]:
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        # A page past the last match: the walk returned nothing to count with.
        counted = session.execute(self._count_sql, {"q": match, "cap": self.count_cap + 1})
        return [], int(counted.scalar() or 0)

    def _match(self, words: list[str], expanded: dict[str, list[str]]) -> str:
        """A to_tsquery string. Words are runs of letters and digits only (analysis.WORD), so none
        of them can be an operator. A word with typo neighbours is not in the vocabulary, so no
        post has it: only the neighbours are asked for. Besides saving a term, this keeps the
        planner's estimate honest (every unknown term adds a default ~0.5% of the posts)."""
        groups = [" | ".join(expanded.get(w) or [w]) for w in words]
        return " & ".join(f"({g})" for g in groups)

    def _rebuild_index(self, engine: Engine) -> None:
        """Nothing: PostgreSQL maintains the generated column and its index itself, in every
        transaction, so they cannot lag. (Rebuilding a damaged one is `REINDEX INDEX CONCURRENTLY
        ix_post_body_search`, an operator's call: it waits for every open transaction.)"""
