"""Mastodon's pagination: `max_id`, `since_id`, `min_id` and `limit` (at most 40) in, a
`Link` header with `next` (older: `max_id`) and `prev` (newer: `min_id`) out. Keyset bounds on
ids, passed to the services' feed statements (services/pagination.py `keyset`): never an
OFFSET a client can push deep, never a COUNT.

As on Mastodon, `since_id` gives the newest `limit` entries above it, and `min_id` the page
just above it (the oldest `limit` entries newer than it, still listed newest first), so a
client paging up with `prev` sees every entry exactly once; with both, `min_id`'s page above
the higher bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request

MAX_LIMIT = 40
DEFAULT_LIMIT = 20


def _id(value: str | None) -> int | None:
    """An id from the query: Mastodon's ids are strings; one that is not a number bounds
    nothing."""
    if value is None or not value.strip().isdigit():
        return None
    return min(int(value.strip()), 2**31 - 1)


@dataclass(frozen=True)
class Window:
    max_id: int | None
    since_id: int | None
    min_id: int | None
    limit: int

    @property
    def bounds(self) -> dict[str, int | None]:
        """The keyword arguments of the services' keyset pages."""
        return {"max_id": self.max_id, "since_id": self.since_id, "min_id": self.min_id}


def _window(
    max_id: Annotated[str | None, Query(description="Entries older than this id.")] = None,
    since_id: Annotated[str | None, Query(description="Entries newer than this id.")] = None,
    min_id: Annotated[
        str | None, Query(description="The page just above this id (the oldest entries newer).")
    ] = None,
    limit: Annotated[str | None, Query(description=f"1 to {MAX_LIMIT} (default 20).")] = None,
) -> Window:
    count = _id(limit)
    return Window(
        max_id=_id(max_id),
        since_id=_id(since_id),
        min_id=_id(min_id),
        limit=DEFAULT_LIMIT if count is None else min(max(count, 1), MAX_LIMIT),
    )


WindowArgs = Annotated[Window, Depends(_window)]


def link_header(request: Request, ids: list[int], *, has_next: bool) -> dict[str, str]:
    """`Link: <...?max_id=oldest>; rel="next", <...?min_id=newest>; rel="prev"` for a page
    whose entries (newest first) have `ids`; no header for an empty page."""
    if not ids:
        return {}
    kept = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in ("max_id", "since_id", "min_id")
    ]
    base = str(request.url.replace(query=""))
    links = []
    if has_next:
        links.append(f'<{base}?{urlencode([*kept, ("max_id", ids[-1])])}>; rel="next"')
    links.append(f'<{base}?{urlencode([*kept, ("min_id", ids[0])])}>; rel="prev"')
    return {"Link": ", ".join(links)}
