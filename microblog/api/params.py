"""Query and path arguments shared by the endpoints, with the UI's limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from microblog.api.representations import DEFAULT_PER_PAGE, MAX_ID, MAX_PER_PAGE
from microblog.services.errors import NotFound
from microblog.services.pagination import clamp_page


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


async def _paging(
    page: Annotated[
        int, Query(description="Page number, from 1. Below 1 counts as 1; at most 10000.")
    ] = 1,
    per_page: Annotated[
        int, Query(description=f"Items per page, 1 to {MAX_PER_PAGE} (larger is clamped).")
    ] = DEFAULT_PER_PAGE,
) -> Paging:
    """Like the tutorial: per_page is capped at 100. Like the UI: odd page numbers are clamped
    rather than refused (`clamp_page`), so a huge number cannot reach the database as an
    offset. Text that is not a number is a 400."""
    return Paging(page=clamp_page(page), per_page=min(max(per_page, 1), MAX_PER_PAGE))


PagingArgs = Annotated[Paging, Depends(_paging)]


def existing_id(value: int, what: str) -> int:
    """A path id that can name a row; anything else (0, negative, beyond 32 bits) is a 404, as
    an id that names no row is."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"No such {what}.")
    return value
