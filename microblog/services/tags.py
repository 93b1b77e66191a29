"""A tag's page (`/tag/<name>`): the posts carrying the tag, newest first, and the count for its
"N new posts" bar.

The page is one statement: the tag's id by its unique name, a walk of post_tag's
(tag_id, timestamp, post_id) index newest first for one page of post ids, and the cards around
them (services/post_rows.py). The bar counts post_tag rows above a post id on post_tag's primary
key (post_id, tag_id): a range holding only the posts written since the page was read, stopped
at COUNT_CAP + 1 (as services/new_posts.py does), never a COUNT of the whole tag.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from microblog.schemas import Page, PostRow
from microblog.services import visibility
from microblog.services.new_posts import COUNT_CAP
from microblog.services.pagination import (
    ENTRY_BETWEEN,
    WALKS,
    keyset,
    keyset_page,
    make_page,
    page_window,
    walk_of,
    walk_sql,
)
from microblog.services.post_rows import card_rows, cards_statement, to_card
from microblog.services.rich_text import normalize_tag
from microblog.services.text import is_storable

# The safety rules (services/visibility.py) on each entry of the walk: one primary-key
# look-up of the post per entry for its author and boost.
# Newest first, or oldest first from a time for a `min_id` page (services/pagination.py).
_WALK = {
    "timestamp": 'pt."timestamp"',
    "entry_id": "pt.post_id",
    "limit": ":limit",
    "offset": ":offset",
}
_TAG_PAGE = {
    walk: cards_statement(
        "SELECT pt.post_id AS id FROM post_tag AS pt JOIN post AS p ON p.id = pt.post_id "  # noqa: S608
        "WHERE pt.tag_id = (SELECT id FROM tag WHERE name = :name) "
        f"AND {visibility.shown_to_viewer('p')} "
        f"AND {visibility.listed_to_viewer('p.user_id', 'p')} "
        f"AND {ENTRY_BETWEEN} {walk_sql(walk, **_WALK)}",
        walk,
        listed=True,
    )
    for walk in WALKS
}
# The bar counts what the page would list the reader (the same safety rules).
_NEW_IN_TAG = text(
    "SELECT COUNT(*) FROM (SELECT pt.post_id FROM post_tag AS pt "  # noqa: S608 (constants only)
    "JOIN post AS p ON p.id = pt.post_id "
    "WHERE pt.post_id > :since_id AND pt.tag_id = (SELECT id FROM tag WHERE name = :name) "
    f"AND {visibility.shown_to_viewer('p')} AND {visibility.listed_to_viewer('p.user_id', 'p')} "
    "LIMIT :cap) AS new_posts"
).bindparams(visibility.NOW)
_TAGS_OF_POST = text(
    "SELECT tag.name FROM post_tag JOIN tag ON tag.id = post_tag.tag_id "
    "WHERE post_tag.post_id = :post_id"
)


def normalise_tag(name: str) -> str | None:
    """A tag as stored (`tag.name`), with or without its "#": the renderer's rule
    (services/rich_text.normalize_tag: NFKC, case-folded), so "#Python", "#PYTHON" and its
    full-width form are one tag. None for a name no tag can have (`2024`, a NUL)."""
    return normalize_tag(name.strip()) if is_storable(name) else None


def tag_posts(
    session: Session,
    *,
    name: str,
    viewer_id: int,
    page: int,
    per_page: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> Page[PostRow]:
    """The posts tagged `name` (any spelling of it), newest first; an unknown tag has none (an
    empty page, not an error)."""
    offset, limit = page_window(page, per_page)
    key = normalise_tag(name)
    if key is None:
        return make_page([], page=page, per_page=per_page, to_item=to_card)
    walk = walk_of(min_id)
    parameters = {"name": key, "offset": offset, "limit": limit}
    parameters |= keyset(session, max_id=max_id, since_id=since_id, min_id=min_id)
    rows = card_rows(session, _TAG_PAGE[walk], parameters, viewer_id=viewer_id)
    found = make_page(rows, page=page, per_page=per_page, to_item=to_card)
    return keyset_page(found, walk, min_id=min_id)


def count_new_tag_posts(session: Session, *, name: str, since_id: int, viewer_id: int = 0) -> int:
    """Posts tagged `name` with ids above `since_id` that the page would show `viewer_id`
    (0: a visitor), counted up to COUNT_CAP + 1."""
    key = normalise_tag(name)
    if key is None:
        return 0
    parameters = {"name": key, "since_id": since_id, "cap": COUNT_CAP + 1}
    found = session.execute(_NEW_IN_TAG, {**parameters, **visibility.parameters(viewer_id)})
    return int(found.scalar_one())


def tags_of_post(session: Session, *, post_id: int) -> set[str]:
    """The (normalised) tags a post carries: which open tag pages a new post concerns."""
    return set(session.execute(_TAGS_OF_POST, {"post_id": post_id}).scalars())
