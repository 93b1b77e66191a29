"""A conversation around one post (the thread page `/post/<id>`): the posts it answers, oldest
first, the post itself, and a page of its direct replies, oldest first.

Three statements, each a list of cards read by services/post_rows.py: the post's card (which
also turns a boost's id into the post it shares), its ancestors (a recursive walk up
`reply_to_id` on the primary key, at most MAX_ANCESTORS), and a page of its replies on
ix_post_reply_to (reply_to_id, timestamp, id). No COUNT: the card carries `reply_count`.

A post whose parent was deleted keeps `reply_to_user_id` (its `reply_to_id` becomes NULL), so
the walk stops there and `earlier_deleted` tells the page that the conversation went further.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from microblog.i18n import _l
from microblog.schemas import Page, PostRow
from microblog.services import visibility
from microblog.services.errors import NotFound
from microblog.services.pagination import make_page, page_window
from microblog.services.post_rows import card_rows, cards_by_id, cards_statement, to_card

# A chain longer than this shows its newest MAX_ANCESTORS posts (the walk starts at the post).
MAX_ANCESTORS = 50

_ANCESTORS = cards_statement(
    "WITH RECURSIVE chain(id, parent, depth) AS ("
    "SELECT id, reply_to_id, 0 FROM post WHERE id = :post_id "
    "UNION ALL "
    "SELECT up.id, up.reply_to_id, chain.depth + 1 FROM post AS up "
    "JOIN chain ON up.id = chain.parent WHERE chain.depth < :max_depth"
    ") SELECT id FROM chain WHERE depth > 0",
    "oldest",
)
_REPLIES_PAGE = cards_statement(
    "SELECT id FROM post AS p WHERE reply_to_id = :post_id "  # noqa: S608 (constants only)
    f"AND {visibility.shown_to_viewer('p')} "
    'ORDER BY "timestamp", id LIMIT :limit OFFSET :offset',
    "oldest",
)


@dataclass(frozen=True)
class Thread:
    post: PostRow
    ancestors: list[PostRow]  # oldest first, ending with the post's parent
    replies: Page[PostRow]  # direct replies, oldest first
    earlier_deleted: bool  # the oldest post shown answers a post that no longer exists


def open_thread(
    session: Session, *, post_id: int, viewer_id: int, page: int, per_page: int
) -> Thread:
    """The thread of `post_id` (a boost's id opens the post it shares), as `viewer_id` (0 for
    a visitor) sees its cards. NotFound when there is no such post."""
    post = cards_by_id(session, [post_id], viewer_id=viewer_id).get(post_id)
    if post is None:
        raise NotFound(_l("No such post."))
    ancestors: list[PostRow] = []
    if post.reply_to_id:
        rows = card_rows(
            session,
            _ANCESTORS,
            {"post_id": post.id, "max_depth": MAX_ANCESTORS},
            viewer_id=viewer_id,
        )
        ancestors = [to_card(row) for row in rows]
    offset, limit = page_window(page, per_page)
    replies = card_rows(
        session,
        _REPLIES_PAGE,
        {"post_id": post.id, "offset": offset, "limit": limit},
        viewer_id=viewer_id,
    )
    oldest = ancestors[0] if ancestors else post
    return Thread(
        post=post,
        ancestors=ancestors,
        replies=make_page(
            replies, page=page, per_page=per_page, to_item=to_card, total=post.reply_count
        ),
        earlier_deleted=not oldest.reply_to_id and bool(oldest.reply_to_username),
    )
