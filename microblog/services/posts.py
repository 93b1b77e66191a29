"""Posts and the three feeds: home (own + followed), explore (everyone), a user's profile.

Every feed is ordered by (timestamp, id) newest first and read through an index in that order, so
a page costs about `per_page` rows, not the size of the feed. See docs/performance.md.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from microblog.i18n import _l
from microblog.live.events import NEW_POST, LiveEvent, publish_after_commit
from microblog.models import POST_MAX, Post, User
from microblog.schemas import Page, PostRow
from microblog.services import search
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.language_detection import detect_language
from microblog.services.pagination import make_page, page_window
from microblog.services.text import require_storable

_NEWEST_FIRST = (col(Post.timestamp).desc(), col(Post.id).desc())


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
    statement = select(Post, User).join(User, col(Post.user_id) == col(User.id))
    pair = session.exec(statement.where(col(Post.id) == post_id)).first()
    if pair is None:
        raise NotFound(_l("No such post."))
    return _to_row(pair)


def delete_post(session: Session, *, post_id: int, user_id: int) -> None:
    """Delete a post; only its author may. Reports "not found" for a missing post and "forbidden"
    for someone else's, so the API can answer 404 and 403."""
    post = get_post(session, post_id=post_id)
    if post.user_id != user_id:
        raise Forbidden(_l("You can only delete your own posts."))
    session.delete(post)
    session.flush()
    search.post_deleted(session, post_id=post_id)


def _to_row(pair: tuple[Post, User]) -> PostRow:
    return PostRow.of(*pair)


def explore_posts(session: Session, *, page: int, per_page: int) -> Page[PostRow]:
    offset, limit = page_window(page, per_page)
    statement = (
        select(Post, User)
        .join(User, col(Post.user_id) == col(User.id))
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    return make_page(session.exec(statement).all(), page=page, per_page=per_page, to_item=_to_row)


def user_posts(session: Session, *, user_id: int, page: int, per_page: int) -> Page[PostRow]:
    offset, limit = page_window(page, per_page)
    statement = (
        select(Post, User)
        .join(User, col(Post.user_id) == col(User.id))
        .where(Post.user_id == user_id)
        .order_by(*_NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    return make_page(session.exec(statement).all(), page=page, per_page=per_page, to_item=_to_row)


def count_user_posts(session: Session, *, user_id: int) -> int:
    statement = select(func.count()).select_from(Post).where(Post.user_id == user_id)
    return int(session.exec(statement).one())
