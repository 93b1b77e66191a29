"""Posts, Explore (everyone's posts) and a user's posts; the home feed is services/timeline.py.

Every feed is ordered by (timestamp, id) newest first and read through an index in that order, so
a page costs about `per_page` rows, not the size of the feed. See docs/performance.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Row, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from microblog.i18n import _l
from microblog.live.events import NEW_POST, LiveEvent, publish_after_commit
from microblog.models import POST_MAX, Post, User, table_of
from microblog.schemas import Page, PostRow
from microblog.services import search
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.language_detection import detect_language
from microblog.services.pagination import make_page, page_window
from microblog.services.text import require_storable

# The feeds' statements, built once (building a query cost about as much as running it), read
# as plain columns in `PostRow.of_columns` order, as the home timeline does: a page of rows
# needs no Post and User objects and no identity map.
_POST, _USER = table_of(Post).c, table_of(User).c
_ROWS = sa_select(
    _POST.id, _POST.body, _POST.timestamp, _POST.language, _USER.id, _USER.username, _USER.email
).join_from(table_of(Post), table_of(User), _POST.user_id == _USER.id)
_NEWEST_PAGE = (
    _ROWS.order_by(_POST.timestamp.desc(), _POST.id.desc())
    .offset(bindparam("offset", type_=Integer))
    .limit(bindparam("limit", type_=Integer))
)
_EXPLORE_PAGE = _NEWEST_PAGE
_USER_POSTS_PAGE = _NEWEST_PAGE.where(_POST.user_id == bindparam("user_id"))
_ONE_POST = _ROWS.where(_POST.id == bindparam("post_id"))


def validate_post_body(body: str) -> str:
    body = body.strip()
    require_storable(body=body)
    if not body:
        raise Invalid({"body": _l("Write something first.")})
    if len(body) > POST_MAX:
        raise Invalid(
            {
                "body": _l(
                    "Posts can have at most %(max)d characters (%(count)d now).",
                    max=POST_MAX,
                    count=len(body),
                )
            }
        )
    return body


def create_post(
    session: Session, *, author_id: int, body: str, language: str | None = None
) -> Post:
    body = validate_post_body(body)
    if language is None:  # detected only when the caller (the API, say) gave none
        language = detect_language(body)
    post = Post(body=body, user_id=author_id, language=language or None)
    session.add(post)
    session.flush()
    search.post_saved(session, post_id=post.id or 0, body=post.body)
    publish_after_commit(session, LiveEvent(NEW_POST, author_id=author_id, ref_id=post.id or 0))
    return post


def get_post(session: Session, *, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(_l("No such post."))
    return post


def get_post_row(session: Session, *, post_id: int) -> PostRow:
    """One post with its author, as the feeds show it (the API's `GET /api/posts/<id>`)."""
    row = session.execute(_ONE_POST, {"post_id": post_id}).first()
    if row is None:
        raise NotFound(_l("No such post."))
    return _to_row(row)


def delete_post(session: Session, *, post_id: int, user_id: int) -> None:
    """Delete a post; only its author may. Reports "not found" for a missing post and "forbidden"
    for someone else's, so the API can answer 404 and 403."""
    post = get_post(session, post_id=post_id)
    if post.user_id != user_id:
        raise Forbidden(_l("You can only delete your own posts."))
    session.delete(post)
    session.flush()
    search.post_deleted(session, post_id=post_id)


def _to_row(row: Row[*tuple[Any, ...]]) -> PostRow:
    return PostRow.of_columns(*row)


def explore_posts(session: Session, *, page: int, per_page: int) -> Page[PostRow]:
    """Everyone's posts, newest first: one statement a page, on the (timestamp, id) index."""
    offset, limit = page_window(page, per_page)
    rows = session.execute(_EXPLORE_PAGE, {"offset": offset, "limit": limit}).all()
    return make_page(rows, page=page, per_page=per_page, to_item=_to_row)


def user_posts(session: Session, *, user_id: int, page: int, per_page: int) -> Page[PostRow]:
    """One user's posts, newest first: one statement a page, on the (user_id, timestamp, id)
    index."""
    offset, limit = page_window(page, per_page)
    parameters = {"user_id": user_id, "offset": offset, "limit": limit}
    rows = session.execute(_USER_POSTS_PAGE, parameters).all()
    return make_page(rows, page=page, per_page=per_page, to_item=_to_row)


def count_user_posts(session: Session, *, user_id: int) -> int:
    statement = select(func.count()).select_from(Post).where(Post.user_id == user_id)
    return int(session.exec(statement).one())
