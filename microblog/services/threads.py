"""A thread: a post, the chain of posts it answers (up to the first) and a page of its direct
replies, oldest first, as the thread page and the API's `GET /api/posts/<id>/thread` show it.

Each list is one statement around services/post_rows.py's cards: the chain is a recursive walk
up `reply_to_id` (bounded, so a pathological chain cannot run away), the replies a walk of the
(reply_to_id, timestamp, id) index. The replies are counted for free: the post's `reply_count`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from microblog.schemas import Page, PostRow
from microblog.services.pagination import make_page, page_window
from microblog.services.post_rows import card_rows, cards_statement, to_card
from microblog.services.posts import get_post_row

MAX_ANCESTORS = 200  # how far up a chain of replies the thread shows

_ANCESTORS = cards_statement(
    "WITH RECURSIVE chain(id, reply_to_id, depth) AS ("
    "SELECT id, reply_to_id, 0 FROM post WHERE id = :post_id "
    "UNION ALL SELECT up.id, up.reply_to_id, chain.depth + 1 FROM post AS up "
    "JOIN chain ON up.id = chain.reply_to_id WHERE chain.depth < :most"
    ") SELECT id FROM chain WHERE depth > 0",
    "oldest",
)
_REPLIES = cards_statement(
    "SELECT id FROM post WHERE reply_to_id = :post_id "
    'ORDER BY "timestamp", id LIMIT :limit OFFSET :offset',
    "oldest",
)


@dataclass
class Thread:
    """`ancestors` from the first post of the conversation down to the one `post` answers."""

    post: PostRow
    ancestors: list[PostRow]
    replies: Page[PostRow]


def open_thread(
    session: Session, *, post_id: int, viewer_id: int, page: int, per_page: int
) -> Thread:
    """The thread around a post (a boost's original for a boost); `NotFound` if it is gone."""
    post = get_post_row(session, post_id=post_id, viewer_id=viewer_id)
    ancestors = card_rows(
        session, _ANCESTORS, {"post_id": post.id, "most": MAX_ANCESTORS}, viewer_id=viewer_id
    )
    offset, limit = page_window(page, per_page)
    replies = card_rows(
        session,
        _REPLIES,
        {"post_id": post.id, "offset": offset, "limit": limit},
        viewer_id=viewer_id,
    )
    return Thread(
        post=post,
        ancestors=[to_card(row) for row in ancestors],
        replies=make_page(
            replies, page=page, per_page=per_page, to_item=to_card, total=post.reply_count
        ),
    )
