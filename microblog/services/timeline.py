"""The home timeline: a user's own posts and those of everyone they follow, newest first, one
statement per page at any scale (see `home_timeline` for the two plans and docs/performance.md
for the figures). A feed page with no follows to merge is plain (services/posts.py)."""

from __future__ import annotations

import math
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Executable, Result, func
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session, select

from microblog.db import engine_of
from microblog.models import User
from microblog.schemas import Page, PostRow
from microblog.services import visibility
from microblog.services.follows import followed_ids
from microblog.services.pagination import (
    ENTRY_BETWEEN,
    Walk,
    ids_between,
    keyset,
    keyset_page,
    make_page,
    page_window,
    walk_of,
)
from microblog.services.post_rows import cards_statement, to_card


def home_timeline(
    session: Session,
    *,
    user_id: int,
    page: int,
    per_page: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> Page[PostRow]:
    """The user's own posts and those of everyone they follow, newest first; with `max_id`
    and/or `since_id` only the entries whose ids lie between them, with `min_id` the oldest
    page above it (the Mastodon API's keyset pages: services/pagination.py `keyset`).

    Two plans, chosen by how much of the site the user follows (k authors of about N users):
    - merge: read each author's newest `offset + limit` posts from (user_id, timestamp, id) and
      merge them: about k * (offset + limit) index rows;
    - scan: walk everyone's posts newest first on (timestamp, id, user_id) and keep those by the
      k authors, checking the author in the index entry: about (offset + limit) * N / k rows.
    The scan is cheaper once k * k exceeds N. The tutorial's single OR/JOIN/GROUP BY query sorts
    the whole timeline instead, which takes seconds at a million posts.

    SQL text built once (`_rows_statement`): building a SQLAlchemy query per call cost more
    than running it. The plan is chosen by reading at most as many followed ids as the merge
    plan can take, which tells the plans apart without a count; the choice is then reused for a
    minute (`PLAN_TTL_SECONDS`), so a page is usually one statement: the page with its authors.
    """
    offset, limit = page_window(page, per_page)
    dialect = session.get_bind().dialect.name
    plan = _remembered_plan(session, user_id)
    authors = [user_id]
    # SQLite's merge binds the authors one by one: it always needs today's list.
    if plan is None or (plan == MERGE and dialect == "sqlite"):
        population = _population(session)
        # Only the merge plan needs the whole list, and only when it is short: reading one
        # more id than it takes is enough to know that the scan will run.
        most = _max_merge_authors(population, dialect)
        authors += followed_ids(session, user_id=user_id, limit=most)
        plan = _choose_plan(len(authors), population, dialect)
        _remember_plan(session, user_id, plan)
    bounds = keyset(session, max_id=max_id, since_id=since_id, min_id=min_id)
    walk = walk_of(min_id)

    def statement(dialect: str, plan: str, size: int) -> Executable:
        return _rows_statement(dialect, plan, size, walk)

    rows = _execute_plan(session, statement, plan, authors, offset, limit, bounds).all()
    found = make_page(rows, page=page, per_page=per_page, to_item=to_card)
    return keyset_page(found, walk, min_id=min_id)


SCAN = "scan"
MERGE = "merge"

POPULATION_TTL_SECONDS = 300.0
"""How long a process trusts its last look at the number of users (for the plan choice only)."""

SQLITE_MAX_MERGE_AUTHORS = 500
"""SQLite refuses a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT), and
its merge has one term per author."""

_population_seen: weakref.WeakKeyDictionary[Engine, tuple[float, int]] = weakref.WeakKeyDictionary()

PLAN_TTL_SECONDS = 60.0
"""How long a process reuses a reader's plan choice instead of reading whom they follow again.
Every plan but SQLite's merge reads the authors from `follow` inside its own statement, so a
choice made before a follow or unfollow still returns exactly the right posts (it may only be
the slower plan for up to a minute). That saves the page one statement, a round trip."""

PLANS_REMEMBERED = 10_000
"""Readers whose choice a process keeps (the least recently used go first)."""

_plans_seen: weakref.WeakKeyDictionary[Engine, OrderedDict[int, tuple[float, str]]] = (
    weakref.WeakKeyDictionary()
)


def _remembered_plan(session: Session, user_id: int) -> str | None:
    seen = _plans_seen.get(engine_of(session))
    if seen is None:
        return None
    found = seen.get(user_id)
    if found is None or time.monotonic() - found[0] >= PLAN_TTL_SECONDS:
        return None
    seen.move_to_end(user_id)
    return found[1]


def _remember_plan(session: Session, user_id: int, plan: str) -> None:
    seen = _plans_seen.setdefault(engine_of(session), OrderedDict())
    seen[user_id] = (time.monotonic(), plan)
    seen.move_to_end(user_id)
    while len(seen) > PLANS_REMEMBERED:
        seen.popitem(last=False)


SQLITE_MERGE_COST = 25
"""How many times more an entry costs SQLite's merge than its scan. Since the reply rule and
"each post once" (correlated probes in every author's branch), a merged entry costs about 11 µs
and a scanned one 0.4 µs on the scale data set (docs/performance.md#conversations): the reader
following 50 of 10,000 read in 15-25 ms by the merge and 1-3 ms by the scan."""


def _max_merge_authors(population: int, dialect: str) -> int:
    """The most authors (self included) the merge plan is chosen for: k * k <= N, and on
    SQLite k * k * SQLITE_MERGE_COST <= N (at least 1: a reader alone is always a merge)."""
    if dialect != "sqlite":
        return math.isqrt(max(population, 1))
    most = max(1, math.isqrt(max(population, 1) // SQLITE_MERGE_COST))
    return min(most, SQLITE_MAX_MERGE_AUTHORS)


def _choose_plan(authors: int, population: int, dialect: str) -> str:
    """SCAN when k authors are a large enough share of N users (k * k > N), else MERGE.

    Both plans return the same posts, so a wrong guess (a stale N, say) costs time, never
    correctness.
    """
    return MERGE if authors <= _max_merge_authors(population, dialect) else SCAN


def _population(session: Session) -> int:
    """The highest user id, remembered per engine for `POPULATION_TTL_SECONDS`.

    It only steers the plan choice, and a site's user count moves slowly, so asking the
    database on every page view (a round trip) bought nothing.
    """
    engine = engine_of(session)
    now = time.monotonic()
    seen = _population_seen.get(engine)
    if seen is not None and now - seen[0] < POPULATION_TTL_SECONDS:
        return seen[1]
    population = int(session.exec(select(func.max(User.id))).one() or 1)
    _population_seen[engine] = (now, population)
    return population


# Our column names `timestamp` and `user` are SQL keywords: quoted everywhere.
_NEWEST = 'ORDER BY "timestamp" DESC, id DESC'
_OLDEST = 'ORDER BY "timestamp", id'
# The reader and everyone they follow, read inside the statement: a list of 500 ids sent from
# Python would cost more to fetch, convert and bind than the page itself.
_AUTHORS = "SELECT followed_id FROM follow WHERE follower_id = :uid UNION ALL SELECT {uid}"
# The reply rule, as on Mastodon: a reply reaches the reader when they follow (or are) the
# person it answers, or when it answers its own author (a thread they post in parts). "Follows"
# is a probe of follow's primary key per reply, not `IN (authors)`: SQLite builds the list of
# an IN subquery into a temporary index once per use, and the merge uses it once per author
# (51 lists for a reader following 50: 3-10 ms per page on the scale data set).
_FOLLOWS = (
    "({who} = {uid} OR EXISTS (SELECT 1 FROM follow AS {alias} "
    "WHERE {alias}.follower_id = {uid} AND {alias}.followed_id = {who}))"
)
_REPLY_RULE = (
    "(p.reply_to_user_id IS NULL OR p.reply_to_user_id = p.user_id OR "
    + _FOLLOWS.format(who="p.reply_to_user_id", uid="{uid}", alias="rf")
    + ")"
)
# A post shows once, at its newest appearance: an entry (a post, or a boost of one) is left out
# when one of the authors boosted the same post later. Most posts were never boosted: the probe
# of (boost_of_id) on uq_post_boost_of_user finds nothing, and only a boost it finds is checked
# against the authors (a probe of `follow` again; `later.user_id IN (authors)` made SQLite
# probe the unique index once per author).
_SHOWN_ONCE = (
    "NOT EXISTS (SELECT 1 FROM post AS later WHERE later.boost_of_id = "  # noqa: S608 (constants only)
    "COALESCE({e}.boost_of_id, {e}.id) "
    'AND (later."timestamp" > {e}."timestamp" '
    'OR (later."timestamp" = {e}."timestamp" AND later.id > {e}.id)) AND '
    + _FOLLOWS.format(who="later.user_id", uid="{uid}", alias="lf")
    + ")"
)


_SHOWN = visibility.shown_to_viewer("p")


@lru_cache(maxsize=256)
def _ids_sql(dialect: str, plan: str, size: int, walk: Walk = "newest") -> str:
    """SQL for the entry ids of one page (`:off`, `:lim`) of the home timeline of `:uid`: the
    posts, replies (by `_REPLY_RULE`) and boosts of the reader and everyone they follow, each
    post once (`_SHOWN_ONCE`).

    Only SQLite's merge depends on `size`, the number of authors: without LATERAL joins it
    needs one UNION ALL branch per author (`:a0`, `:a1`, ...). Every other form is a single
    statement that reads the authors from `follow` itself.

    The text is assembled from constants and author positions only; every value is a bound
    parameter (hence the `noqa: S608`). `walk` "oldest" reads a `min_id` page: oldest first
    from `:since_time`, on the same indexes (services/pagination.py `walk_sql`).
    """
    order = "" if walk == "newest" else 'AND p."timestamp" >= :since_time '
    newest = _NEWEST if walk == "newest" else _OLDEST
    merged = (
        'ORDER BY newest."timestamp" DESC, newest.id DESC'
        if walk == "newest"
        else 'ORDER BY newest."timestamp", newest.id'
    )
    uid = "CAST(:uid AS INTEGER)" if dialect == "postgresql" else ":uid"
    authors = _AUTHORS.format(uid=uid)
    # The reply rule and the safety rules (blocks, mutes, hidden posts, suspended authors:
    # services/visibility.py), each a probe per entry.
    replies = _REPLY_RULE.format(uid=uid) + f" AND {_SHOWN} AND {ENTRY_BETWEEN} {order}"
    if plan == SCAN:
        # `user_id + 0` keeps the planner off the (user_id, ...) index, which would fetch and
        # sort every post of every author; we want the newest-first walk that stops at `:lim`.
        # Each post's author is then looked up in the authors, built once per statement: a
        # temporary index on SQLite, a hashed subplan on PostgreSQL. There the `IS TRUE` keeps
        # the IN from becoming a semi-join, which compared each post with all 500 authors in
        # turn (docs/performance.md); `= ANY(:array)` does the same once the statement is
        # prepared and planned generically.
        test = f"(p.user_id + 0) IN ({authors})"
        if dialect == "postgresql":
            test = f"({test}) IS TRUE"
        once = _SHOWN_ONCE.format(e="p", uid=uid)
        return (
            f"SELECT id FROM post AS p WHERE {test} AND {replies} AND {once} "  # noqa: S608
            f"{newest} LIMIT :lim OFFSET :off"
        )
    # Each author's newest `:n` entries that are shown (reply rule, each post once), merged.
    # "Each post once" is tested inside each author's walk, before its LIMIT: an author's
    # entries that give way to a later boost (their own boost of their own post and someone's
    # later boost of it, say) would otherwise fill the author's `:n` and push out an older entry
    # that belongs on the page (tests/unit/test_posts.py, test_own_boosts_do_not_hide_...).
    once = _SHOWN_ONCE.format(e="p", uid=uid)
    if dialect == "postgresql":
        return (
            f"SELECT newest.id FROM ({authors}) AS author(id) "  # noqa: S608
            'CROSS JOIN LATERAL (SELECT p.id, p."timestamp" FROM post AS p '
            f"WHERE p.user_id = author.id AND {replies} AND {once} {newest} LIMIT :n) AS newest "
            f"{merged} LIMIT :lim OFFSET :off"
        )
    # Each branch wrapped as a subquery: SQLite allows ORDER BY/LIMIT only there.
    branch = (
        'SELECT * FROM (SELECT p.id, p."timestamp" FROM post AS p '
        "WHERE p.user_id = :a{} AND {} AND {} {} LIMIT :n)"
    )
    branches = " UNION ALL ".join(branch.format(i, replies, once, newest) for i in range(size))
    return (
        f"SELECT id FROM ({branches}) AS newest "  # noqa: S608
        f"{newest} LIMIT :lim OFFSET :off"
    )


def _rows_statement(dialect: str, plan: str, size: int, walk: Walk = "newest") -> TextualSelect:
    """The page's cards (services/post_rows.py) around `_ids_sql`, built once per shape."""
    return cards_statement(_ids_sql(dialect, plan, size, walk), walk)


def _execute_plan(
    session: Session,
    statement_for: Callable[[str, str, int], Executable],
    plan: str,
    authors: list[int],
    offset: int,
    limit: int,
    bounds: dict[str, Any] | None = None,
) -> Result[*tuple[Any, ...]]:
    """Run one plan's statement; `authors` is the reader followed by everyone they follow
    (only SQLite's merge binds them one by one, the rest read them from `follow`)."""
    dialect = session.get_bind().dialect.name
    parameters: dict[str, object] = {
        "uid": authors[0],
        **visibility.parameters(authors[0]),
        "off": offset,
        "lim": limit,
        **(bounds or ids_between(None, None)),
    }
    size = 0
    if plan == MERGE:
        parameters["n"] = offset + limit  # each author's newest posts that could be on the page
        if dialect == "sqlite":
            size = len(authors)
            parameters.update({f"a{i}": author for i, author in enumerate(authors)})
    return session.execute(statement_for(dialect, plan, size), parameters)
