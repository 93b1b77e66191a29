"""A hashtag's posts, newest first: one walk of the (tag_id, timestamp, post_id) index of
`post_tag` and the cards around it, in one statement (services/post_rows.py)."""

from __future__ import annotations

from sqlmodel import Session

from microblog.schemas import Page, PostRow
from microblog.services.pagination import make_page, page_window
from microblog.services.post_rows import card_rows, cards_statement, to_card
from microblog.services.rich_text import normalize_tag
from microblog.services.text import is_storable

_TAG_PAGE = cards_statement(
    "SELECT tagged.post_id AS id FROM post_tag AS tagged "
    "JOIN tag ON tag.id = tagged.tag_id WHERE tag.name = :name "
    'ORDER BY tagged."timestamp" DESC, tagged.post_id DESC LIMIT :limit OFFSET :offset'
)


def tag_posts(
    session: Session, *, name: str, viewer_id: int, page: int, per_page: int
) -> Page[PostRow]:
    """The posts tagged `name` (with or without its `#`, in any case: the tag as
    services/rich_text.py normalises it); an unknown tag has none (an empty page, not an
    error), nor does a name no tag could have (`2024`, a NUL)."""
    offset, limit = page_window(page, per_page)
    key = normalize_tag(name.strip()) if is_storable(name) else None
    if key is None:
        return make_page([], page=page, per_page=per_page, to_item=to_card)
    parameters = {"name": key, "offset": offset, "limit": limit}
    rows = card_rows(session, _TAG_PAGE, parameters, viewer_id=viewer_id)
    return make_page(rows, page=page, per_page=per_page, to_item=to_card)
