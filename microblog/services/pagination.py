"""One pagination helper for the UI and the API.

It fetches `per_page + 1` rows: the extra row tells whether there is a next page without counting
the whole result. Counting is opt-in (the API's `total_items`), never the feeds' default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import Select as CoreSelect
from sqlalchemy import bindparam, func, select
from sqlmodel import Session
from sqlmodel.sql.expression import Select, SelectOfScalar

from microblog.models import Post, table_of
from microblog.schemas import Page

T = TypeVar("T")

MAX_PAGE = 10_000

# Ids are 32-bit integers in the database, and so is a bound (PostgreSQL refuses a larger one
# typed as the column); the last id of all is never reached.
NO_UPPER_BOUND = 2**31 - 1

# Keyset bounds on a feed's entry ids (the Mastodon API's `max_id`/`since_id`): every feed
# statement has them, and without bounds they hold for every row. Ids are given in the order
# of `timestamp` (both come from the insert), so "below max_id" is "older than max_id".
# `p.id + 0`: a filter, never an index range. As a plain `p.id` range SQLite walks the posts by
# rowid from the bound instead of the newest-first timestamp walk, and the home timeline of a
# reader following 500 took 340 ms instead of 1 ms on the scale data set (bench_safety).
ENTRY_BETWEEN = "p.id + 0 < :max_id AND p.id + 0 > :since_id"


def ids_between(max_id: int | None, since_id: int | None) -> dict[str, int]:
    """The bound parameters of `ENTRY_BETWEEN` (None: no bound on that side)."""
    upper = NO_UPPER_BOUND if max_id is None else max(0, min(max_id, NO_UPPER_BOUND))
    return {"max_id": upper, "since_id": max(0, since_id or 0)}


# Mastodon's `min_id`: the page just above an entry (the oldest entries newer than it), so a
# client paging up sees every entry once. The feed then walks oldest first from the bound's
# time, an index range on the same (…, timestamp, id) index the newest-first walk reads
# backwards: `WALK["oldest"]` after `FROM_TIME` (an index range, unlike ENTRY_BETWEEN's
# filter, so the walk starts at the bound instead of the oldest entry of all). The bound's
# time is that of the newest post at or below `min_id`, less SINCE_TIME_MARGIN (ids and times
# are given together, but two inserts a moment apart may commit in either order), and
# ENTRY_BETWEEN keeps exactly the entries above `min_id`. Reversed afterwards, the page reads
# newest first like every other (`keyset_page`). No OFFSET a client can push, no COUNT.
Walk = Literal["newest", "oldest"]
WALKS: tuple[Walk, ...] = ("newest", "oldest")
SINCE_TIME_MARGIN = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SINCE_TIME = bindparam("since_time", type_=table_of(Post).c.timestamp.type)


def walk_of(min_id: int | None) -> Walk:
    """ "oldest" for a `min_id` page, else "newest"."""
    return "newest" if min_id is None else "oldest"


def walk_sql(walk: Walk, *, timestamp: str, entry_id: str, limit: str, offset: str) -> str:
    """The tail of a feed's entry walk: `FROM_TIME` (oldest first only), ORDER BY, LIMIT."""
    if walk == "newest":
        return f"ORDER BY {timestamp} DESC, {entry_id} DESC LIMIT {limit} OFFSET {offset}"
    return (
        f"AND {timestamp} >= :since_time "
        f"ORDER BY {timestamp}, {entry_id} LIMIT {limit} OFFSET {offset}"
    )


def keyset(
    session: Session, *, max_id: int | None, since_id: int | None, min_id: int | None
) -> dict[str, Any]:
    """The bound parameters of a feed page: `ENTRY_BETWEEN`'s, and with `min_id` the time the
    oldest-first walk starts from (one primary-key probe)."""
    if min_id is None:
        return ids_between(max_id, since_id)
    lower = max(since_id or 0, min_id)
    post = table_of(Post)
    started = session.execute(
        select(post.c.timestamp).where(post.c.id <= lower).order_by(post.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    since_time = (started - SINCE_TIME_MARGIN) if started is not None else _EPOCH
    return ids_between(max_id, lower) | {"since_time": since_time}


def keyset_ids(
    session: Session,
    statement: CoreSelect[tuple[int]],
    column: Any,
    *,
    limit: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> list[int]:
    """The same three bounds for a list ordered by an id `column` itself (who liked a post, by
    account id): at most `limit` ids, highest first; with `min_id` the lowest `limit` above
    it (walked up the index), still highest first."""
    if max_id is not None:
        statement = statement.where(column < max_id)
    lower = since_id if min_id is None else max(since_id or 0, min_id)
    if lower:
        statement = statement.where(column > lower)
    order = column.desc() if min_id is None else column.asc()
    found = session.execute(statement.order_by(order).limit(limit)).scalars()
    ids = [int(value) for value in found]
    return ids if min_id is None else ids[::-1]


def keyset_page(page: Page[T], walk: Walk, *, min_id: int | None) -> Page[T]:
    """A page read oldest first (a `min_id` page) turned newest first like every other: its
    extra row was the newer one, so `has_prev` says there is more above; `has_next` that there
    may be entries below the bound (any bound above 0)."""
    if walk == "newest":
        return page
    return Page(
        items=page.items[::-1],
        page=page.page,
        per_page=page.per_page,
        has_next=bool(min_id),
        has_prev=page.has_next,
        total=page.total,
    )


def clamp_page(page: int | str | None) -> int:
    """A page number from user input: anything odd becomes 1, huge numbers are capped."""
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_window(page: int, per_page: int) -> tuple[int, int]:
    """(offset, limit) for a page, with the one extra row that answers `has_next`."""
    return (page - 1) * per_page, per_page + 1


def paginate(
    session: Session,
    query: Select[*tuple[Any, ...]] | CoreSelect[*tuple[Any, ...]] | SelectOfScalar[Any],
    *,
    page: int,
    per_page: int,
    to_item: Callable[[Any], T],
    count: bool = False,
    params: dict[str, Any] | None = None,
) -> Page[T]:
    """Run `query` (with its bound `params`) for one page; `query` must already be ordered."""
    offset, limit = page_window(page, per_page)
    statement = query.offset(offset).limit(limit)
    # A select of one entity gives the entities (sqlmodel's exec); any other, its rows.
    rows = (
        session.exec(statement, params=params or {}).all()
        if isinstance(statement, SelectOfScalar)
        else session.execute(statement, params or {}).all()
    )
    return make_page(
        rows,
        page=page,
        per_page=per_page,
        to_item=to_item,
        total=_count(session, query, params) if count else None,
    )


def make_page(
    rows: Sequence[Any],
    *,
    page: int,
    per_page: int,
    to_item: Callable[[Any], T],
    total: int | None = None,
) -> Page[T]:
    return Page(
        items=[to_item(row) for row in rows[:per_page]],
        page=page,
        per_page=per_page,
        has_next=len(rows) > per_page,
        has_prev=page > 1,
        total=total,
    )


def _count(
    session: Session,
    query: Select[*tuple[Any, ...]] | CoreSelect[*tuple[Any, ...]] | SelectOfScalar[Any],
    params: dict[str, Any] | None,
) -> int:
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return int(session.execute(counted, params).scalar_one())
